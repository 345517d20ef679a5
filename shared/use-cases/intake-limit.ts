// Backpressure at intake: a per-source rate and the stage's cap over all
// sources, checked before anything of a ticket is written. Over either, the
// caller gets 429 throttled with Retry-After.
import { ThrottledError } from '../lib/errors.js';
import { takeFromWindow } from '../store/rate-store.js';
import type { AppContext } from './context.js';

/** The stage's cap is spread over this many counters, so no single item limits the write rate. */
export const GLOBAL_SHARDS = 4;

export async function admitIntake(ctx: AppContext, sourceId: string, tickets: number): Promise<void> {
  const limits = ctx.intakeLimits;
  if (!limits || tickets <= 0) return;
  const nowMs = ctx.now();
  const retryAfter = 1 - (nowMs % 1000) / 1000;
  if (!(await takeFromWindow(ctx.table, `source#${sourceId}`, tickets, limits.perSourcePerSecond, nowMs))) {
    throw new ThrottledError(
      `source ${sourceId} is over its intake rate of ${limits.perSourcePerSecond} tickets per second`,
      retryAfter,
    );
  }
  const shard = Math.floor(Math.random() * GLOBAL_SHARDS);
  const perShard = Math.ceil(limits.globalPerSecond / GLOBAL_SHARDS);
  if (!(await takeFromWindow(ctx.table, `intake#${shard}`, tickets, perShard, nowMs))) {
    throw new ThrottledError(
      `intake is over the cap of ${limits.globalPerSecond} tickets per second; retry shortly`,
      retryAfter,
    );
  }
}
