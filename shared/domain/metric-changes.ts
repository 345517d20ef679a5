// Which counters a ticket change moves. Pure: the stream consumer applies them once.
import { type CountIncrement, hourOf } from './metric-counts.js';
import type { Ticket } from './types.js';

/** Breaches of tickets that no provider holds are counted here. */
export const UNASSIGNED = 'unassigned';

/** History events counted once each against the provider they name. */
const COUNTED_EVENTS: Partial<Record<string, 'rerouted' | 'leased' | 'held'>> = {
  rerouted: 'rerouted',
  leased: 'leased',
  held: 'held',
};

export function metricIncrements(before: Ticket | undefined, after: Ticket): CountIncrement[] {
  const increments: CountIncrement[] = [];
  if (after.status === 'queued' && after.providerId && after.attempts > (before?.attempts ?? 0)) {
    increments.push({
      providerId: after.providerId,
      hour: hourOf(after.routedAt ?? after.updatedAt),
      counts: { routed: 1 },
      routedSkill: after.skill,
    });
  }
  if (
    after.status === 'completed' &&
    before?.status !== 'completed' &&
    after.providerId &&
    after.completedAt
  ) {
    const handleSeconds = after.leasedAt
      ? Math.max(0, (Date.parse(after.completedAt) - Date.parse(after.leasedAt)) / 1000)
      : 0;
    increments.push({
      providerId: after.providerId,
      hour: hourOf(after.completedAt),
      counts: {
        completed: 1,
        completedOnTime: after.sla.breached ? 0 : 1,
        handleSeconds: Math.round(handleSeconds),
        cost: after.costPerItem ?? 0,
      },
    });
  }
  if (after.sla.breached && !before?.sla.breached) {
    const breachedAt =
      after.history.find((entry) => entry.event === 'sla_breached')?.at ??
      after.completedAt ??
      after.updatedAt;
    increments.push({
      providerId: after.providerId ?? UNASSIGNED,
      hour: hourOf(breachedAt),
      counts: { breached: 1 },
    });
  }
  // At-risk tickets taken from a provider that would not make it, counted against that provider; leases
  // and holds per provider (hold_rate).
  for (const entry of after.history) {
    if (entry.seq <= (before?.seq ?? 0) || !entry.providerId) continue;
    const counter = COUNTED_EVENTS[entry.event];
    if (counter)
      increments.push({ providerId: entry.providerId, hour: hourOf(entry.at), counts: { [counter]: 1 } });
  }
  return increments;
}

/** The same changes as CloudWatch metric names (EMF through Powertools in AWS). */
export const CLOUDWATCH_METRIC_OF = {
  routed: 'TicketsRouted',
  completed: 'TicketsCompleted',
  breached: 'SlaBreached',
  rerouted: 'TicketsRerouted',
  held: 'TicketsHeld',
} as const;
