import { TICKET_STATUSES } from '../domain/schemas.js';
import { ticketView } from '../domain/ticket.js';
import type { Principal, TicketStatus } from '../domain/types.js';
import { AppError } from '../lib/errors.js';
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

interface Cursor {
  /** Position in TICKET_STATUSES when no status was asked for. */
  s: number;
  k?: Record<string, unknown>;
}

const encode = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

function decode(raw: string | undefined): Cursor {
  if (!raw) return { s: 0 };
  try {
    const cursor = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Cursor;
    if (typeof cursor.s === 'number') return cursor;
  } catch {
    // fall through to the 400 below
  }
  throw new AppError('validation_error', 'the cursor is not valid', [
    { path: 'cursor', message: 'not a cursor' },
  ]);
}

/**
 * Tickets by status (oldest first), optionally of one provider; a source sees
 * only its own. Without a status, statuses are walked in a fixed order.
 * A page may hold fewer than `limit` items when filters apply; follow the cursor.
 */
export async function listTickets(ctx: AppContext, principal: Principal, query: ListQuery) {
  const sourceId = principal.role === 'source' ? principal.sourceId : query.sourceId;
  const statuses = query.status ? [query.status] : [...TICKET_STATUSES];
  let cursor = decode(query.cursor);
  const items: ReturnType<typeof ticketView>[] = [];
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
  while (cursor.s < statuses.length && items.length < query.limit) {
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
    items.push(...page.items.map((ticket) => ticketView(ticket, nowMs)));
    cursor = page.cursor ? { s: cursor.s, k: decodeCursor(page.cursor) } : { s: cursor.s + 1 };
  }
  return { items, cursor: cursor.s < statuses.length ? encode(cursor) : undefined };
}
