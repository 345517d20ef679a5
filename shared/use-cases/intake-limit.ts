// Backpressure at intake: a per-source rate and the stage's cap over all
// sources, checked before anything of a ticket is written. Over either, the
// caller gets 429 throttled with Retry-After.
import { ThrottledError } from '../lib/errors.js';
import { takeFromWindow } from '../store/rate-store.js';
import type { Table } from '../store/table.js';
import type { AppContext } from './context.js';

/** The stage's cap is spread over this many counters, so no single item limits the write rate. */
export const GLOBAL_SHARDS = 8;
/** A function instance takes a second's budget in slices of this share of the limit, and spends them locally. */
const SLICES_PER_LIMIT = 10;

/** What this instance holds of each scope's current second. Unspent budget lapses with its second. */
const held = new Map<string, { second: number; left: number }>();
/** A slice being taken from the table per scope: concurrent requests wait for it instead of taking their own. */
const taking = new Map<string, Promise<boolean>>();

function spend(scope: string, second: number, count: number): boolean {
  const mine = held.get(scope);
  if (mine?.second !== second || mine.left < count) return false;
  mine.left -= count;
  return true;
}

/**
 * Takes `count` from a scope's budget for this second: from the slice this
 * instance holds, else a new slice from the table (one write admits a slice of
 * tickets, not one). The table's counter never passes the limit, so neither do
 * all instances together; a slice left unspent only admits fewer.
 */
async function take(table: Table, scope: string, count: number, limit: number, nowMs: number) {
  const second = Math.floor(nowMs / 1000);
  for (;;) {
    if (spend(scope, second, count)) return true;
    const pending = taking.get(scope);
    if (!pending) break;
    // Another request of this instance is taking a slice: share it if it has room.
    await pending;
  }
  const slice = Math.min(limit, Math.max(count, Math.ceil(limit / SLICES_PER_LIMIT)));
  const fetch = (async () => {
    for (const size of slice > count ? [slice, count] : [count]) {
      if (await takeFromWindow(table, scope, size, limit, nowMs)) {
        const mine = held.get(scope);
        // Its own count first, the rest beside what is left of the same second for the requests waiting.
        held.set(scope, { second, left: (mine?.second === second ? mine.left : 0) + size - count });
        return true;
      }
    }
    return false;
  })();
  taking.set(scope, fetch);
  try {
    return await fetch;
  } finally {
    if (taking.get(scope) === fetch) taking.delete(scope);
  }
}

export async function admitIntake(ctx: AppContext, sourceId: string, tickets: number): Promise<void> {
  const limits = ctx.intakeLimits;
  if (!limits || tickets <= 0) return;
  const nowMs = ctx.now();
  const retryAfter = 1 - (nowMs % 1000) / 1000;
  if (!(await take(ctx.table, `source#${sourceId}`, tickets, limits.perSourcePerSecond, nowMs))) {
    throw new ThrottledError(
      `source ${sourceId} is over its intake rate of ${limits.perSourcePerSecond} tickets per second`,
      retryAfter,
    );
  }
  // A shard this instance holds budget of first, then the others from a random one: the cap is
  // refused only when no shard has room (a full shard alone says little about the whole).
  const second = Math.floor(nowMs / 1000);
  const start = Math.floor(Math.random() * GLOBAL_SHARDS);
  const shards = Array.from({ length: GLOBAL_SHARDS }, (_, index) => (start + index) % GLOBAL_SHARDS);
  const heldShard = shards.find((index) => {
    const mine = held.get(`intake#${index}`);
    return mine?.second === second && mine.left >= tickets;
  });
  const perShard = Math.ceil(limits.globalPerSecond / GLOBAL_SHARDS);
  const order =
    heldShard === undefined ? shards : [heldShard, ...shards.filter((shard) => shard !== heldShard)];
  for (const shard of order) {
    if (await take(ctx.table, `intake#${shard}`, tickets, perShard, nowMs)) return;
  }
  throw new ThrottledError(
    `intake is over the cap of ${limits.globalPerSecond} tickets per second; retry shortly`,
    retryAfter,
  );
}
