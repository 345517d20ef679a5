import { sourceIdSchema, ticketBatchSchema } from '../../shared/domain/schemas.js';
import { createTicketBatch } from '../../shared/use-cases/create-ticket.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler, sourceIdFor, validate } from '../lib/http-handler.js';

/** One result per item, in order; a bad item gets its error and does not fail the others. */
export const handler = httpHandler('POST /v1/tickets/batch', { body: 'json' }, async (request) => {
  const { sourceId, body } = sourceIdFor(request, sourceIdSchema);
  const { items } = validate(ticketBatchSchema, body, 'body');
  return { statusCode: 200, body: { results: await createTicketBatch(appContext(), sourceId, items) } };
});
