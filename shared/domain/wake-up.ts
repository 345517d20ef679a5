// Which parked tickets a freed slot wakes: only those the freed provider may take (a ticket for a skill nobody
// has must not hold every slot idle until the next sweep), in the triage order a provider works in — those
// that can still meet their due first, by priority then due; the late ones after, by priority then age.
import { hardFilterReasons } from './hard-filters.js';
import type { ProviderSnapshot, RoutableTicket } from './types.js';
import { compareWork, type QueuedWork } from './work-order.js';

/** Whether the provider passes every hard filter for the ticket, its current fill aside. */
export const mayTake = (provider: ProviderSnapshot, ticket: RoutableTicket) =>
  hardFilterReasons({ ...provider, openItems: 0 }, ticket).length === 0;

export function ticketsToWake<T extends RoutableTicket & QueuedWork>(
  parked: readonly T[],
  freed: ProviderSnapshot | undefined,
  nowMs: number,
  lateAgingMs: number,
  max: number,
): T[] {
  const clock = { nowMs, lateAgingMs, finishIfStartedNowMs: nowMs };
  return parked
    .filter((ticket) => !freed || mayTake(freed, ticket))
    .sort((a, b) => compareWork(a, b, clock))
    .slice(0, max);
}
