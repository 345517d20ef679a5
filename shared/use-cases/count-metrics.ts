import { backlogDeltas, capacityReleases } from '../domain/backlog-counts.js';
import { metricIncrements } from '../domain/metric-changes.js';
import { type CounterIncrement, type CountIncrement, mergeIncrements } from '../domain/metric-counts.js';
import type { Ticket } from '../domain/types.js';
import { backlogCounter, listBacklogGroups } from '../store/backlog-store.js';
import { capacityRelease } from '../store/ticket-store.js';
import { addCountsOnce, countedUpTo, hourlyCounter, MAX_COUNTER_ITEMS } from '../store/metric-store.js';
import type { AppContext } from './context.js';
import { ContractVersionsCache, contractKpiIncrements } from './contracts.js';

/** Every counter one ticket change moves, and the hourly increments among them (CloudWatch mirrors those). */
export interface ChangeCounters {
  hourly: CountIncrement[];
  counters: CounterIncrement[];
}

/**
 * The counters a ticket change moves: hourly metrics, backlog counts, the
 * capacity it gives back to a provider (`openItems`).
 * Other counted views (contract KPIs) append theirs here.
 */
export async function ticketChangeCounters(
  ctx: AppContext,
  before: Ticket | undefined,
  after: Ticket,
  /** Contract versions loaded once per stream batch. */
  contracts = new ContractVersionsCache(),
): Promise<ChangeCounters> {
  const hourly = metricIncrements(before, after);
  const counters = [
    ...hourly.map(hourlyCounter),
    ...backlogDeltas(before, after).map(backlogCounter),
    ...capacityReleases(before, after).map(capacityRelease),
    ...(await contractKpiIncrements(ctx, before, after, contracts)),
  ];
  return { hourly, counters };
}

/** One stream record's counters: `eventId` is unique in the stream, `sequence` orders records of a shard. */
export interface CountedChange extends ChangeCounters {
  eventId: string;
  sequence: string;
}

const after = (sequence: string, upTo: string) => BigInt(sequence) > BigInt(upTo);

/**
 * Counts a run of one shard's records (in stream order) exactly once, with one
 * transaction per run of records whose counters fit one: a marker named after
 * the run's first record, which keeps the run's last sequence number. A replay
 * (Lambda retries from the batch's start, or from the first failed record)
 * finds the marker, skips what it covered and counts only the rest.
 */
export async function countChangesOnce(
  ctx: AppContext,
  changes: readonly CountedChange[],
): Promise<CountedChange[]> {
  const counted: CountedChange[] = [];
  let start = 0;
  while (start < changes.length) {
    let end = start;
    let merged: CounterIncrement[] = [];
    while (end < changes.length) {
      const next = mergeIncrements(changes.slice(start, end + 1).flatMap((change) => change.counters));
      if (next.length > MAX_COUNTER_ITEMS && end > start) break;
      merged = next;
      end++;
    }
    const first = changes[start] as CountedChange;
    const last = changes[end - 1] as CountedChange;
    await listBacklogGroups(ctx.table, merged);
    const outcome = await addCountsOnce(ctx.table, first.eventId, merged, ctx.now(), last.sequence);
    if (outcome !== 'already_counted') {
      counted.push(...changes.slice(start, end));
      start = end;
      continue;
    }
    const upTo = await countedUpTo(ctx.table, first.eventId);
    // A marker without `upTo` covered only its own record (written before batches were counted).
    const skipTo = changes.findIndex((change, index) =>
      upTo === undefined ? index > start : after(change.sequence, upTo),
    );
    start = skipTo < 0 ? changes.length : skipTo;
  }
  return counted;
}
