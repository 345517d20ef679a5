import { sourceIdSchema } from '../../shared/domain/schemas.js';
import { createTicket, parseTicketInput } from '../../shared/use-cases/create-ticket.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler, sourceIdFor } from '../lib/http-handler.js';

/** 202 when accepted now, 200 when the same body had been accepted before. */
export const handler = httpHandler('POST /v1/tickets', { body: 'json' }, async (request) => {
  const { sourceId, body } = sourceIdFor(request, sourceIdSchema);
  const { created, ticket } = await createTicket(appContext(), sourceId, parseTicketInput(body));
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
