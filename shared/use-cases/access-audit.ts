// The access audit trail: every read of a ticket's payload and every change
// of configuration, keys and policies, kept for a configurable time (TTL),
// queryable by admin. It records who, what, when and which request, never the
// data itself.
import { z } from 'zod';
import type { AuditQuery } from '../domain/access-schemas.js';
import { openCursor, signCursor } from '../lib/cursor.js';
import { AppError } from '../lib/errors.js';
import { type AuditEntry, putAuditEntries, queryAuditEntries } from '../store/audit-store.js';
import { auditActorPartition, auditTicketPartition } from '../store/keys.js';
import { AUDIT_DAY_SHARDS } from '../store/layout.js';
import { getTicket } from '../store/ticket-store.js';
import { startKeySchema } from './list-tickets.js';
import { type AppContext, isoNow } from './context.js';

export type { AuditEntry };

export const DEFAULT_AUDIT_RETENTION_DAYS = 365;
/** A query over every entry walks day by day; longer windows need ticketId or actor. */
export const MAX_AUDIT_WINDOW_DAYS = 366;
const MAX_QUERIES_PER_PAGE = 10;
/** Day pages one request reads (each a query per partition of the day). */
const MAX_DAY_PAGES = 3;
const DAY_MS = 86_400_000;

export interface AccessRecord {
  actor: AuditEntry['actor'];
  requestId: string;
}

/** Records what one request did: one entry per action and target. */
export async function recordAccess(
  ctx: AppContext,
  access: AccessRecord,
  actions: { action: string; target: string; ticketId?: string }[],
): Promise<void> {
  if (!actions.length) return;
  const at = isoNow(ctx);
  await putAuditEntries(
    ctx.table,
    actions.map((action) => ({ at, actor: access.actor, requestId: access.requestId, ...action })),
    ctx.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS,
  );
}

const cursorSchema = z.strictObject({
  /** The window of the first page, kept so later pages read the same one. */
  w: z.tuple([z.iso.datetime(), z.iso.datetime()]),
  /** The day being read, when walking days, and the last entry id answered of it. */
  d: z.iso.date().optional(),
  a: z.string().min(1).max(512).optional(),
  /** By ticket: how many entries earlier pages answered. */
  o: z.number().int().min(0).max(1_000_000).optional(),
  k: startKeySchema.optional(),
});

const dayOf = (iso: string) => iso.slice(0, 10);
const nextDay = (day: string) =>
  new Date(Date.parse(`${day}T00:00:00.000Z`) + DAY_MS).toISOString().slice(0, 10);

/**
 * Entries between `from` and `to` (default: the last 24 hours; with a ticketId
 * or actor, from the beginning), by ticket, by actor or all. By ticket or actor
 * oldest first; all entries day by day, each day's partitions in turn (oldest
 * first within each).
 */
export async function readAuditTrail(ctx: AppContext, query: AuditQuery) {
  const scope = JSON.stringify([
    'audit',
    query.ticketId ?? null,
    query.actor ?? null,
    query.from ?? null,
    query.to ?? null,
  ]);
  const resumed = query.cursor ? openCursor(ctx.cursorSecret, scope, query.cursor, cursorSchema) : undefined;
  const to = resumed ? resumed.w[1] : query.to ? new Date(query.to).toISOString() : isoNow(ctx);
  const narrowed = Boolean(query.ticketId || query.actor);
  const from = resumed
    ? resumed.w[0]
    : query.from
      ? new Date(query.from).toISOString()
      : narrowed
        ? '1970-01-01T00:00:00.000Z'
        : new Date(Date.parse(to) - DAY_MS).toISOString();
  if (from > to) {
    throw new AppError('validation_error', 'from is after to', [{ path: 'from', message: 'after to' }]);
  }
  if (!narrowed && Date.parse(to) - Date.parse(from) > MAX_AUDIT_WINDOW_DAYS * DAY_MS) {
    throw new AppError(
      'validation_error',
      `a window over ${MAX_AUDIT_WINDOW_DAYS} days needs ticketId or actor`,
      [{ path: 'from', message: `at most ${MAX_AUDIT_WINDOW_DAYS} days before to` }],
    );
  }
  let position: z.infer<typeof cursorSchema> = resumed ?? {
    w: [from, to],
    d: narrowed ? undefined : dayOf(from),
  };
  const items: AuditEntry[] = [];
  let done = false;
  if (!narrowed) {
    // All entries: day by day, each day's partitions read side by side and merged, oldest first.
    for (let days = 0; days < MAX_DAY_PAGES && items.length < query.limit && !done; days++) {
      const day = position.d ?? dayOf(from);
      const page = await dayPage(
        ctx,
        day,
        { from: position.a ? `${position.a}\u0000` : from, to },
        query.limit - items.length,
      );
      items.push(...page.items);
      if (page.last) position = { w: [from, to], d: day, a: page.last };
      else if (day < dayOf(to)) position = { w: [from, to], d: nextDay(day) };
      else done = true;
    }
    return { items, cursor: done ? undefined : signCursor(ctx.cursorSecret, scope, position) };
  }
  if (query.ticketId) {
    // By ticket: the reads the ticket itself keeps, and entries of the older one-per-ticket form.
    const all = (await ticketTrail(ctx, query.ticketId))
      .filter((entry) => entry.at >= from && entry.at <= to)
      .filter((entry) => !query.actor || entry.actor.keyId === query.actor);
    const offset = position.o ?? 0;
    const next = offset + query.limit;
    return {
      items: all.slice(offset, next),
      cursor: next < all.length ? signCursor(ctx.cursorSecret, scope, { ...position, o: next }) : undefined,
    };
  }
  for (let queries = 0; queries < MAX_QUERIES_PER_PAGE && items.length < query.limit && !done; queries++) {
    const where = { index: 'actor', partition: auditActorPartition(query.actor ?? '') } as const;
    const page = await queryAuditEntries(
      ctx.table,
      where,
      { from, to },
      query.limit - items.length,
      position.k,
    );
    items.push(...page.items);
    if (page.next) position = { ...position, k: page.next as z.infer<typeof cursorSchema>['k'] };
    else done = true;
  }
  return { items, cursor: done ? undefined : signCursor(ctx.cursorSecret, scope, position) };
}

/** Every access of one ticket, oldest first: its own log, and entries of the older one-per-ticket form. */
async function ticketTrail(ctx: AppContext, ticketId: string): Promise<AuditEntry[]> {
  const ticket = /^[0-9a-f]{32}$/.test(ticketId) ? await getTicket(ctx.table, ticketId) : undefined;
  const kept: AuditEntry[] = (ticket?.accessLog ?? []).map(({ at, actor, requestId }) => ({
    at,
    actor,
    action: 'ticket.payload_read',
    target: `ticket:${ticketId}`,
    requestId,
  }));
  const earlier: AuditEntry[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await queryAuditEntries(
      ctx.table,
      { index: 'ticket', partition: auditTicketPartition(ticketId) },
      { from: '1970-01-01T00:00:00.000Z', to: '9999-12-31T23:59:59.999Z' },
      500,
      startKey,
    );
    earlier.push(...page.items);
    startKey = page.next;
  } while (startKey);
  return [...earlier, ...kept].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}

/**
 * Up to `limit` entries of one day in [from, to], oldest first, merged from the
 * day's partitions; `last` is the id of the last one when the day has more.
 */
async function dayPage(
  ctx: AppContext,
  day: string,
  range: { from: string; to: string },
  limit: number,
): Promise<{ items: AuditEntry[]; last?: string }> {
  const pages = await Promise.all(
    Array.from({ length: AUDIT_DAY_SHARDS + 1 }, (_, shard) =>
      queryAuditEntries(ctx.table, { index: 'day', day, shard }, range, limit),
    ),
  );
  const merged = pages
    .flatMap((page) => page.items.map((entry, index) => ({ entry, id: page.ids[index] as string })))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const more = merged.length > limit || pages.some((page) => page.next);
  // Whole items only: the tickets one request read end a page together.
  let end = Math.min(limit, merged.length);
  while (end > 0 && end < merged.length && merged[end]?.id === merged[end - 1]?.id) end++;
  const taken = merged.slice(0, end);
  return { items: taken.map(({ entry }) => entry), last: more ? taken.at(-1)?.id : undefined };
}
