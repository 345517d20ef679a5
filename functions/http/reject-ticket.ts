import { rejectRequestSchema } from '../../shared/domain/schemas.js';
import { returnTicket } from '../../shared/use-cases/provider-work.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler, leaseCall } from '../lib/http-handler.js';

export const handler = httpHandler(
  'POST /v1/tickets/{ticketId}/reject',
  { body: rejectRequestSchema },
  async (request) => ({
    statusCode: 200,
    body: await returnTicket(appContext(), leaseCall(request), 'rejected', request.body.reason),
  }),
);
