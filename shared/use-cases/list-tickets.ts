import { z } from 'zod';
import { TICKET_STATUSES } from '../domain/schemas.js';
import { ticketViewFor } from '../domain/ticket.js';
import type { Principal, TicketStatus } from '../domain/types.js';
import { openCursor, signCursor } from '../lib/cursor.js';
import { parkedPartitions, queuePartition, statusPartitions, timerPartitions } from '../store/keys.js';
import { listProviders } from '../store/provider-store.js';
import { decodeCursor, getTickets, queryTickets } from '../store/ticket-store.js';
import type { AppContext } from './context.js';

export interface ListQuery {
  status?: TicketStatus;
  providerId?: string;
  sourceId?: string;
  limit: number;
  cursor?: string;
}

/**
 * Queries one request may run: a page with few matches ends early with a cursor to follow.
 * Enough to walk every timer bucket of a status (32) in one page.
 */
export const MAX_QUERIES_PER_PAGE = 40;

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
  /** Position in the status's partitions. */
  p: z.number().int().min(0).max(100_000).optional(),
  k: startKeySchema.optional(),
});
type Cursor = z.infer<typeof cursorSchema>;

/** The query a cursor belongs to: one list's cursor cannot continue another. */
const scopeOf = (sourceId: string | undefined, query: ListQuery) =>
  JSON.stringify(['tickets', query.status ?? null, query.providerId ?? null, sourceId ?? null]);

type Partition = { index: 'queue' | 'timers' | 'by-status'; partition: string };

const timers = (partitions: string[]): Partition[] =>
  partitions.map((partition) => ({ index: 'timers', partition }));

/**
 * Where tickets of a status live: those holding capacity in their provider's
 * queue partition, other open ones in the timer buckets, closed ones in their
 * status's shards (see ticketItem).
 */
async function partitionsOf(
  ctx: AppContext,
  status: TicketStatus,
  providerId?: string,
): Promise<Partition[]> {
  const queues = async (): Promise<Partition[]> => {
    const ids = providerId ? [providerId] : (await listProviders(ctx.table)).map((p) => p.providerId).sort();
    return ids.map((id) => ({ index: 'queue', partition: queuePartition(id) }));
  };
  switch (status) {
    case 'queued':
    case 'leased':
      return queues();
    case 'on_hold':
      return [...(await queues()), ...timers(timerPartitions())];
    case 'received':
      return timers(timerPartitions());
    case 'parked':
      return timers(parkedPartitions());
    default:
      return statusPartitions(status).map((partition) => ({ index: 'by-status', partition }));
  }
}

/**
 * Tickets by status, optionally of one provider; a source sees only its own.
 * Without a status, statuses are walked in a fixed order. Within a status the
 * order is per partition (queue partitions by due time, timer buckets by next
 * check, closed shards oldest first), not global. A page may hold fewer than
 * `limit` items when filters apply; follow the cursor.
 */
export async function listTickets(ctx: AppContext, principal: Principal, query: ListQuery) {
  const sourceId = principal.role === 'source' ? principal.sourceId : query.sourceId;
  const statuses = query.status ? [query.status] : [...TICKET_STATUSES];
  const scope = scopeOf(sourceId, query);
  let cursor: Cursor = query.cursor
    ? openCursor(ctx.cursorSecret, scope, query.cursor, cursorSchema)
    : { s: 0 };
  let queries = 0;
  const ids: string[] = [];
  const filters = ['#status = :status'];
  const values: Record<string, unknown> = {};
  if (sourceId) {
    filters.push('sourceId = :sourceId');
    values[':sourceId'] = sourceId;
  }
  if (query.providerId) {
    filters.push('providerId = :providerId');
    values[':providerId'] = query.providerId;
  }
  let partitions: { status: number; list: Partition[] } | undefined;
  while (cursor.s < statuses.length && ids.length < query.limit && queries++ < MAX_QUERIES_PER_PAGE) {
    const status = statuses[cursor.s] as TicketStatus;
    if (partitions?.status !== cursor.s)
      partitions = { status: cursor.s, list: await partitionsOf(ctx, status, query.providerId) };
    const at = cursor.p ?? 0;
    const partition = partitions.list[at];
    if (!partition) {
      cursor = { s: cursor.s + 1 };
      continue;
    }
    const page = await queryTickets(ctx.table, {
      ...partition,
      limit: query.limit - ids.length,
      cursor: cursor.k,
      filter: {
        expression: filters.join(' AND '),
        names: { '#status': 'status' },
        values: { ...values, ':status': status },
      },
    });
    ids.push(...page.items.map((ticket) => ticket.ticketId));
    cursor = page.cursor
      ? { s: cursor.s, p: at, k: decodeCursor(page.cursor) as Cursor['k'] }
      : { s: cursor.s, p: at + 1 };
  }
  const nowMs = ctx.now();
  // Indexes keep a few fields: the views come from the table's own items.
  const items = (await getTickets(ctx.table, ids)).map((ticket) => ticketViewFor(principal, ticket, nowMs));
  return {
    items,
    cursor: cursor.s < statuses.length ? signCursor(ctx.cursorSecret, scope, cursor) : undefined,
  };
}
