// When a provider would finish a ticket: counted from the ticket's place in the provider's work order, not
// from the back of the queue (ROUTING-THEORY.md §5), with a safety margin for the uncertainty of the work
// ahead (§7), in the provider's open hours. Pure: `now` comes in.
import {
  addOpenHours,
  assertOpenHours,
  type CompiledCalendar,
  openHoursBetween,
  openMsBefore,
} from './calendar.js';
import type { ProviderSnapshot } from './types.js';
import { compareTiered, compareWork, type QueuedWork, type WorkOrderClock, workTier } from './work-order.js';

export interface Placement {
  /** Mean completion plus the safety margin; null when the calendar knows no such time. */
  completionMs: number | null;
  /** Mean completion, no margin (what "lost" is judged on). */
  meanCompletionMs: number | null;
  /** Items the provider works before this one: those in service and those ahead in its work order. */
  workAhead: number;
  marginHours: number;
  /** Queued tickets that are on time now and would go late if this one were placed ahead of them. */
  displaces: number;
}

export interface PlacementSettings {
  /** Standard deviations of the work ahead kept free before due. */
  safetyMarginZ: number;
  lateAgingMs: number;
}

const HOUR_MS = 3_600_000;

/** Hours of one effort unit at this provider (throughput is units per open hour; most items are one unit). */
export const serviceHours = (provider: Pick<ProviderSnapshot, 'throughputPerHour'>) =>
  1 / provider.throughputPerHour;

/** Effort units a list of work takes (an item without effort is one unit). */
export const unitsOf = (items: readonly QueuedWork[]): number => {
  let units = 0;
  for (const item of items) units += item.effort ?? 1;
  return units;
};

/** Units in service: open units not in the queue. Without a known queue every open unit is ahead. */
export const inService = (provider: ProviderSnapshot) =>
  provider.queue ? Math.max(0, provider.openItems - unitsOf(provider.queue)) : provider.openItems;

/**
 * The k-th item of a queue ends after a sum of k exponential service times: mean k·s, deviation √k·s.
 * Returns the open hours to allow for it, margin included.
 */
export function hoursForItems(items: number, service: number, z: number): { mean: number; margin: number } {
  return { mean: items * service, margin: z * Math.sqrt(items) * service };
}

export function workOrderClock(
  provider: ProviderSnapshot,
  calendar: CompiledCalendar,
  nowMs: number,
  lateAgingMs: number,
  /** openMsBefore(calendar, nowMs), when the caller has it. */
  openBeforeNowMs?: number,
): WorkOrderClock {
  const finish = addOpenHours(calendar, nowMs, serviceHours(provider), openBeforeNowMs);
  return {
    nowMs,
    lateAgingMs,
    finishIfStartedNowMs: finish ?? Number.POSITIVE_INFINITY,
  };
}

/** Where `ticket` would sit in the provider's work order, and when it would be done. */
export function predictPlacement(
  provider: ProviderSnapshot,
  ticket: QueuedWork,
  calendar: CompiledCalendar,
  nowMs: number,
  settings: PlacementSettings,
  /** Off where only the ticket's own completion matters (sweeps, rebalancing): it costs a sort. */
  countDisplacement = true,
): Placement {
  const service = serviceHours(provider);
  const z = settings.safetyMarginZ;
  // Every addition below starts from now: the calendar is searched for now once.
  const openBeforeNowMs = openMsBefore(calendar, nowMs);
  const behind: QueuedWork[] = [];
  // In effort units: those in service (open units not queued) and the queued ones worked before it.
  const effort = ticket.effort ?? 1;
  let ahead = provider.queue ? Math.max(0, provider.openItems) : provider.openItems;
  let clock: WorkOrderClock | undefined;
  if (provider.queue && provider.queue.length > 0) {
    clock = workOrderClock(provider, calendar, nowMs, settings.lateAgingMs, openBeforeNowMs);
    const ticketTier = workTier(ticket, clock);
    let queued = 0;
    let aheadInQueue = 0;
    for (const item of provider.queue) {
      const units = item.effort ?? 1;
      queued += units;
      if (item.ticketId === ticket.ticketId) continue;
      if (compareTiered(item, workTier(item, clock), ticket, ticketTier) < 0) aheadInQueue += units;
      else behind.push(item);
    }
    ahead = Math.max(0, provider.openItems - queued) + aheadInQueue;
  } else {
    // Nothing queued, no work order to place it in; the clock's check of the service time still holds.
    assertOpenHours(service);
  }
  const { mean, margin } = hoursForItems(ahead + effort, service, z);
  const completionMs = addOpenHours(calendar, nowMs, mean + margin, openBeforeNowMs);
  const meanCompletionMs = addOpenHours(calendar, nowMs, mean, openBeforeNowMs);
  // Displacement only decides between providers where the ticket itself is on time.
  const onTime = completionMs !== null && completionMs <= ticket.dueMs;
  return {
    completionMs,
    meanCompletionMs,
    workAhead: ahead,
    marginHours: margin,
    displaces:
      countDisplacement && onTime && clock && behind.length
        ? countDisplaced(behind, ahead, effort, service, z, calendar, nowMs, clock, openBeforeNowMs)
        : 0,
  };
}

/** Items behind, in work order, that are on time at their place now and late once `effort` more units go first. */
function countDisplaced(
  behind: QueuedWork[],
  ahead: number,
  effort: number,
  service: number,
  z: number,
  calendar: CompiledCalendar,
  nowMs: number,
  clock: WorkOrderClock,
  openBeforeNowMs: number,
): number {
  behind.sort((a, b) => compareWork(a, b, clock));
  let displaced = 0;
  // The units worked up to and including each item behind, in order.
  let place = ahead;
  for (let i = 0; i < behind.length; i++) {
    const item = behind[i]!;
    place += item.effort ?? 1;
    // Only items that can still be on time can be pushed late.
    if (item.dueMs < clock.finishIfStartedNowMs) continue;
    const now = hoursForItems(place, service, z);
    const pushed = hoursForItems(place + effort, service, z);
    const before = addOpenHours(calendar, nowMs, now.mean + now.margin, openBeforeNowMs);
    if (before === null || before > item.dueMs) continue;
    const after = addOpenHours(calendar, nowMs, pushed.mean + pushed.margin, openBeforeNowMs);
    if (after === null || after > item.dueMs) displaced++;
  }
  return displaced;
}

/** Open hours left between the predicted completion and due at this provider (negative: late). */
export function slackOpenHours(calendar: CompiledCalendar, completionMs: number, dueMs: number): number {
  return openHoursBetween(calendar, completionMs, dueMs) ?? (dueMs - completionMs) / HOUR_MS;
}

/** The at-risk rule: a queued ticket whose provider, from its place in the work order, would finish it late. */
export function willMissDue(
  provider: ProviderSnapshot,
  ticket: QueuedWork,
  calendar: CompiledCalendar,
  nowMs: number,
  settings: PlacementSettings,
): boolean {
  const { completionMs } = predictPlacement(provider, ticket, calendar, nowMs, settings, false);
  return completionMs === null || completionMs > ticket.dueMs;
}
