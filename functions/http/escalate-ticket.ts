import { escalateRequestSchema } from '../../shared/domain/schemas.js';
import { escalateTicket } from '../../shared/use-cases/escalation.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler, leaseCall } from '../lib/http-handler.js';

/** The leasing provider sends the ticket back to routing for another skill, keeping its SLA clock. */
export const handler = httpHandler(
  'POST /v1/tickets/{ticketId}/escalate',
  { body: escalateRequestSchema },
  async (request) => ({
    statusCode: 200,
    body: await escalateTicket(appContext(), leaseCall(request), {
      skill: request.body.skill,
      minProficiency: request.body.minProficiency,
      note: request.body.note,
    }),
  }),
);
