import { sourceIdSchema } from '../../shared/domain/schemas.js';
import { createTicket, parseTicketInput } from '../../shared/use-cases/create-ticket.js';
import { admitIntake } from '../../shared/use-cases/intake-limit.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler, sourceIdFor } from '../lib/http-handler.js';

/** 202 when accepted now, 200 when the same body had been accepted before. */
export const handler = httpHandler('POST /v1/tickets', { body: 'json' }, async (request) => {
  const ctx = appContext();
  const { sourceId, body } = sourceIdFor(request, sourceIdSchema);
  const input = parseTicketInput(body);
  // Over the source's rate or the stage's cap: 429 before anything is written.
  await admitIntake(ctx, sourceId, 1);
  const { created, ticket } = await createTicket(ctx, sourceId, input);
  return {
    statusCode: created ? 202 : 200,
    body: {
      ticketId: ticket.ticketId,
      status: ticket.status,
      dueAt: ticket.dueAt,
      createdAt: ticket.createdAt,
    },
  };
});
