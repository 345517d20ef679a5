// Work conservation (late binding, work stealing; ROUTING-THEORY.md §6): an open provider with room never idles
// while tickets it may take sit queued, not yet started, at a provider that is closed or behind. Business
// hours would otherwise strand work at closed providers while open ones wait. Pure: `now` comes in.
import { addOpenHours, type CalendarCache, isOpenAt } from './calendar.js';
import { hoursForItems, type PlacementSettings, predictPlacement, serviceHours } from './prediction.js';
import { asQueuedWork } from './routing.js';
import { effortOf } from './ticket.js';
import type { ProviderSnapshot, RoutableTicket } from './types.js';
import { mayTake } from './wake-up.js';
import { compareWork, type WorkOrderClock } from './work-order.js';

/** A ticket queued at some other provider, not yet leased. */
export interface QueuedElsewhere extends RoutableTicket {
  providerId: string;
}

/**
 * Why it moves, in the order they are taken: late where it is but on time here; waiting at a closed provider
 * while this one finishes it sooner at no higher price; late anywhere, but sooner here.
 */
export const REBALANCE_REASONS = ['sla_at_risk', 'sooner', 'late_anyway'] as const;
export type RebalanceReason = (typeof REBALANCE_REASONS)[number];

export interface RebalanceChoice {
  ticket: QueuedElsewhere;
  reason: RebalanceReason;
}

export interface RebalanceInput {
  /** The provider asking for work; it takes what it steals at once. */
  taker: ProviderSnapshot;
  /** Candidates: queued tickets of other providers (with those providers in `providers`). */
  queued: readonly QueuedElsewhere[];
  providers: ReadonlyMap<string, ProviderSnapshot>;
  settings: PlacementSettings;
  nowMs: number;
  calendars: CalendarCache;
  max: number;
}

/** Up to `max` tickets the taker should take over, best first; empty when it is closed or full. */
export function pickRebalance(input: RebalanceInput): RebalanceChoice[] {
  const { taker, providers, settings, nowMs, calendars } = input;
  // Room in effort units: what it takes over must fit whole.
  const room = taker.capacity - taker.openItems;
  if (room <= 0 || input.max <= 0 || !(taker.throughputPerHour > 0)) return [];
  const takerCalendar = calendars.get(taker, nowMs);
  if (!isOpenAt(takerCalendar, nowMs)) return [];
  const service = serviceHours(taker);
  const { mean, margin } = hoursForItems(1, service, settings.safetyMarginZ);
  const takerMeanFinish = addOpenHours(takerCalendar, nowMs, mean) ?? Number.POSITIVE_INFINITY;
  const takerSafeFinish = addOpenHours(takerCalendar, nowMs, mean + margin) ?? Number.POSITIVE_INFINITY;

  const choices: (RebalanceChoice & { rank: number })[] = [];
  for (const ticket of input.queued) {
    const holder = providers.get(ticket.providerId);
    if (!holder || holder.providerId === taker.providerId || !mayTake(taker, ticket)) continue;
    const work = asQueuedWork(ticket);
    let placement: ReturnType<typeof predictPlacement>;
    let holderCalendar: ReturnType<CalendarCache['get']>;
    try {
      holderCalendar = calendars.get(holder, nowMs);
      placement = predictPlacement(holder, work, holderCalendar, nowMs, settings, false);
    } catch {
      choices.push({ ticket, reason: 'late_anyway', rank: REBALANCE_REASONS.indexOf('late_anyway') });
      continue;
    }
    const holderMean = placement.meanCompletionMs ?? Number.POSITIVE_INFINITY;
    const lateThere = (placement.completionMs ?? Number.POSITIVE_INFINITY) > work.dueMs;
    const reason: RebalanceReason | undefined =
      lateThere && takerSafeFinish <= work.dueMs
        ? 'sla_at_risk'
        : !isOpenAt(holderCalendar, nowMs) &&
            takerMeanFinish < holderMean &&
            taker.costPerItem <= holder.costPerItem
          ? 'sooner'
          : lateThere && takerMeanFinish < holderMean
            ? 'late_anyway'
            : undefined;
    if (reason) choices.push({ ticket, reason, rank: REBALANCE_REASONS.indexOf(reason) });
  }
  const clock: WorkOrderClock = {
    nowMs,
    lateAgingMs: settings.lateAgingMs,
    finishIfStartedNowMs: takerMeanFinish,
  };
  const picked: RebalanceChoice[] = [];
  let units = 0;
  for (const { ticket, reason } of choices.sort(
    (a, b) => a.rank - b.rank || compareWork(asQueuedWork(a.ticket), asQueuedWork(b.ticket), clock),
  )) {
    if (picked.length >= input.max) break;
    if (units + effortOf(ticket) > room) continue;
    units += effortOf(ticket);
    picked.push({ ticket, reason });
  }
  return picked;
}
