import { z } from 'zod';
import { TICKET_STATUSES } from '../domain/schemas.js';
import { ticketViewFor } from '../domain/ticket.js';
import type { Principal, TicketStatus } from '../domain/types.js';
import { openCursor, signCursor } from '../lib/cursor.js';
import { queuePartition, statusPartition } from '../store/keys.js';
import { decodeCursor, queryTickets } from '../store/ticket-store.js';
import type { AppContext } from './context.js';

export interface ListQuery {
  status?: TicketStatus;
  providerId?: string;
  sourceId?: string;
  limit: number;
  cursor?: string;
}

/** Queries one request may run: a page with few matches ends early with a cursor to follow. */
export const MAX_QUERIES_PER_PAGE = 10;

/** A DynamoDB start key of the ticket indexes: the table and index key attributes, bounded strings. */
export const startKeySchema = z
  .partialRecord(
    z.enum(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk']),
    z.string().min(1).max(1024),
  )
  .refine((key) => typeof key.pk === 'string' && typeof key.sk === 'string', 'a start key');

const cursorSchema = z.strictObject({
  /** Position in the statuses walked. */
  s: z.number().int().min(0).max(TICKET_STATUSES.length),
  k: startKeySchema.optional(),
});
type Cursor = z.infer<typeof cursorSchema>;

/** The query a cursor belongs to: one list's cursor cannot continue another. */
const scopeOf = (sourceId: string | undefined, query: ListQuery) =>
  JSON.stringify(['tickets', query.status ?? null, query.providerId ?? null, sourceId ?? null]);

/**
 * Tickets by status (oldest first), optionally of one provider; a source sees
 * only its own. Without a status, statuses are walked in a fixed order.
 * A page may hold fewer than `limit` items when filters apply; follow the cursor.
 */
export async function listTickets(ctx: AppContext, principal: Principal, query: ListQuery) {
  const sourceId = principal.role === 'source' ? principal.sourceId : query.sourceId;
  const statuses = query.status ? [query.status] : [...TICKET_STATUSES];
  const scope = scopeOf(sourceId, query);
  let cursor: Cursor = query.cursor
    ? openCursor(ctx.cursorSecret, scope, query.cursor, cursorSchema)
    : { s: 0 };
  let queries = 0;
  const items: ReturnType<typeof ticketViewFor>[] = [];
  const filters: string[] = [];
  const values: Record<string, unknown> = {};
  if (sourceId) {
    filters.push('sourceId = :sourceId');
    values[':sourceId'] = sourceId;
  }
  if (query.providerId) {
    filters.push('providerId = :providerId');
    values[':providerId'] = query.providerId;
  }
  while (cursor.s < statuses.length && items.length < query.limit && queries++ < MAX_QUERIES_PER_PAGE) {
    const status = statuses[cursor.s] as TicketStatus;
    const useQueue = status === 'queued' && query.providerId;
    const page = await queryTickets(ctx.table, {
      index: useQueue ? 'queue' : 'by-status',
      partition: useQueue ? queuePartition(query.providerId ?? '') : statusPartition(status),
      limit: query.limit - items.length,
      cursor: cursor.k,
      filter: filters.length ? { expression: filters.join(' AND '), values } : undefined,
    });
    const nowMs = ctx.now();
    items.push(...page.items.map((ticket) => ticketViewFor(principal, ticket, nowMs)));
    cursor = page.cursor ? { s: cursor.s, k: decodeCursor(page.cursor) as Cursor['k'] } : { s: cursor.s + 1 };
  }
  return {
    items,
    cursor: cursor.s < statuses.length ? signCursor(ctx.cursorSecret, scope, cursor) : undefined,
  };
}
