// The order in which a provider works its queue, and parked tickets are woken: triage under overload.
// EDF alone serves the already-late tickets first and drags every later one late too (ROUTING-THEORY.md §1);
// so tickets that can still meet their due go first, by priority then due, the others after them by priority
// then age, and a ticket late for longer than the aging limit goes before all, oldest due first, so none
// starves (§3, §4). Pure: `now` comes in.
import type { Priority } from './types.js';

/** What the order needs to know about a queued or parked ticket. */
export interface QueuedWork {
  ticketId: string;
  priority: Priority;
  dueMs: number;
  createdMs: number;
  /** Effort units (of capacity and throughput) it takes; absent: 1. */
  effort?: number;
}

export interface WorkOrderClock {
  /** When an item started now would be done (the provider's calendar and speed); `now` for a wake-up. */
  finishIfStartedNowMs: number;
  nowMs: number;
  /** How long a ticket may be late before it goes ahead of on-time work. */
  lateAgingMs: number;
}

const PRIORITY_RANK: Record<Priority, number> = { P1: 0, P2: 1, P3: 2, P4: 3 };
export const priorityRank = (priority: Priority) => PRIORITY_RANK[priority];

/** 0: late past the aging limit (first); 1: can still meet its due; 2: late anyway. */
export function workTier(item: QueuedWork, clock: WorkOrderClock): 0 | 1 | 2 {
  if (item.dueMs + clock.lateAgingMs < clock.nowMs) return 0;
  return item.dueMs >= clock.finishIfStartedNowMs ? 1 : 2;
}

/** Negative when `a` is worked before `b`. Ties end on the ticket id, so the order is total. */
export function compareWork(a: QueuedWork, b: QueuedWork, clock: WorkOrderClock): number {
  return compareTiered(a, workTier(a, clock), b, workTier(b, clock));
}

/** compareWork with both tiers known (a hot loop compares many items with one ticket). */
export function compareTiered(a: QueuedWork, tierA: number, b: QueuedWork, tierB: number): number {
  if (tierA !== tierB) return tierA - tierB;
  if (tierA === 0) return a.dueMs - b.dueMs || byId(a, b);
  const byPriority = PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority];
  if (byPriority !== 0) return byPriority;
  return tierA === 1 ? a.dueMs - b.dueMs || byId(a, b) : a.createdMs - b.createdMs || byId(a, b);
}

const byId = (a: QueuedWork, b: QueuedWork) =>
  a.ticketId < b.ticketId ? -1 : a.ticketId > b.ticketId ? 1 : 0;

/** A copy in work order. */
export function inWorkOrder<T extends QueuedWork>(items: readonly T[], clock: WorkOrderClock): T[] {
  return [...items].sort((a, b) => compareWork(a, b, clock));
}

/** The item worked first, without sorting the rest (a provider picking its next ticket). */
export function firstInWorkOrder<T extends QueuedWork>(
  items: readonly T[],
  clock: WorkOrderClock,
): T | undefined {
  let best: T | undefined;
  for (const item of items) if (!best || compareWork(item, best, clock) < 0) best = item;
  return best;
}
