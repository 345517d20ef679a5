import { completeRequestSchema } from '../../shared/domain/schemas.js';
import { completeTicket } from '../../shared/use-cases/provider-work.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler, leaseCall } from '../lib/http-handler.js';

export const handler = httpHandler(
  'POST /v1/tickets/{ticketId}/complete',
  { body: completeRequestSchema },
  async (request) => ({
    statusCode: 200,
    body: await completeTicket(appContext(), leaseCall(request), request.body.resolution),
  }),
);
