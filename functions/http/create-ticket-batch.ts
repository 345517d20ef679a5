import { sourceIdSchema, ticketBatchSchema } from '../../shared/domain/schemas.js';
import { createTicketBatch } from '../../shared/use-cases/create-ticket.js';
import { admitIntake } from '../../shared/use-cases/intake-limit.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler, sourceIdFor, validate } from '../lib/http-handler.js';

/** One result per item, in order; a bad item gets its error and does not fail the others. */
export const handler = httpHandler('POST /v1/tickets/batch', { body: 'json' }, async (request) => {
  const ctx = appContext();
  const { sourceId, body } = sourceIdFor(request, sourceIdSchema);
  const { items } = validate(ticketBatchSchema, body, 'body');
  // Over the source's rate or the stage's cap: 429 before anything is written.
  await admitIntake(ctx, sourceId, items.length);
  return { statusCode: 200, body: { results: await createTicketBatch(ctx, sourceId, items) } };
});
