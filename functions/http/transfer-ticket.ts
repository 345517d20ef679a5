import { transferRequestSchema } from '../../shared/domain/schemas.js';
import { transferTicket } from '../../shared/use-cases/escalation.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler } from '../lib/http-handler.js';

/** An admin moves a queued or held ticket to a named provider that passes the hard filters. */
export const handler = httpHandler(
  'POST /v1/tickets/{ticketId}/transfer',
  { body: transferRequestSchema },
  async (request) => ({
    statusCode: 200,
    body: await transferTicket(
      appContext(),
      request.principal,
      request.params.ticketId ?? '',
      request.body.providerId,
    ),
  }),
);
