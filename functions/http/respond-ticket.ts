import { respondRequestSchema } from '../../shared/domain/sla.js';
import { respondToTicket } from '../../shared/use-cases/sla-policies.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler } from '../lib/http-handler.js';

/** The leasing provider's first response: meets the first-response target (once; again → 409). */
export const handler = httpHandler(
  'POST /v1/tickets/{ticketId}/respond',
  { body: respondRequestSchema },
  async (request) => ({
    statusCode: 200,
    body: await respondToTicket(
      appContext(),
      request.principal,
      request.params.ticketId ?? '',
      request.body.leaseToken,
    ),
  }),
);
