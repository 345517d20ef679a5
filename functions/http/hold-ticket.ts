import { holdRequestSchema } from '../../shared/domain/schemas.js';
import { holdTicket } from '../../shared/use-cases/holds.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler, leaseCall } from '../lib/http-handler.js';

/** The leasing provider puts its ticket on hold: the SLA clock stops, the provider keeps it. */
export const handler = httpHandler(
  'POST /v1/tickets/{ticketId}/hold',
  { body: holdRequestSchema },
  async (request) => ({
    statusCode: 200,
    body: await holdTicket(appContext(), leaseCall(request), {
      reason: request.body.reason,
      until: request.body.until,
    }),
  }),
);
