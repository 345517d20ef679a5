// A finished run's figures: on time overall, by priority and by week, cost, unfinished, utilisation, shares
// and lateness. Money is summed in integer minor units.
import { PRIORITIES } from '../domain/schemas.js';
import { shareReport } from '../domain/shares.js';
import type { Priority } from '../domain/types.js';
import type { RunCounters } from './engine.js';
import { LATENESS_BUCKETS, type OnTimeCount, type SimulationConfig, type SimulationResult } from './types.js';
import type { SimProvider, SimTicket } from './world.js';

const DAY_MS = 86_400_000;

const fraction = (part: number, whole: number) => (whole > 0 ? part / whole : 0);

/** Monday 00:00 UTC of the week the instant falls in. */
function weekStart(ms: number): string {
  const day = new Date(ms);
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate()) - sinceMonday * DAY_MS)
    .toISOString()
    .slice(0, 10);
}

const onTime = (ticket: SimTicket) => ticket.completedMs !== undefined && ticket.completedMs <= ticket.dueMs;

export function summarise(
  config: SimulationConfig,
  tickets: readonly SimTicket[],
  providers: readonly SimProvider[],
  counters: RunCounters,
): SimulationResult {
  const byPriority = Object.fromEntries(PRIORITIES.map((p) => [p, { tickets: 0, onTime: 0 }])) as Record<
    Priority,
    OnTimeCount
  >;
  const weeks = new Map<string, OnTimeCount>();
  const lateness = new Array(LATENESS_BUCKETS.length).fill(0) as number[];
  let onTimeCount = 0;
  let completed = 0;
  let costMinor = 0;
  let minutesInSystem = 0;
  for (const ticket of tickets) {
    const met = onTime(ticket);
    const group = byPriority[ticket.priority];
    group.tickets++;
    const week = weekStart(ticket.createdMs);
    const weekly = weeks.get(week) ?? { tickets: 0, onTime: 0 };
    weekly.tickets++;
    weeks.set(week, weekly);
    if (met) {
      onTimeCount++;
      group.onTime++;
      weekly.onTime++;
    }
    if (ticket.completedMs !== undefined) {
      completed++;
      costMinor += ticket.costMinor ?? 0;
      minutesInSystem += (ticket.completedMs - ticket.createdMs) / 60_000;
      const minutesLate = Math.max(0, (ticket.completedMs - ticket.dueMs) / 60_000);
      const bucket = LATENESS_BUCKETS.findIndex((bound) => minutesLate <= bound);
      lateness[bucket] = (lateness[bucket] as number) + 1;
    }
  }

  const shareOf = shareReport(
    providers.map((p) => ({
      ...p.config,
      routedBySkill: Object.fromEntries(p.routedBySkillTotal),
    })),
  );
  const routedAll = providers.reduce((sum, p) => sum + p.routedTotal, 0);
  const utilization: Record<string, number> = {};
  const utilizationByHour: Record<string, number[]> = {};
  const shares: SimulationResult['shares'] = {};
  providers.forEach((provider, i) => {
    const id = provider.config.providerId;
    const open = counters.openSamples[i] as number[];
    const busy = counters.busySamples[i] as number[];
    utilization[id] = fraction(
      busy.reduce((a, b) => a + b, 0),
      open.reduce((a, b) => a + b, 0),
    );
    utilizationByHour[id] = open.map((samples, hour) => fraction(busy[hour] as number, samples));
    shares[id] = shareOf.get(id) ?? { target: null, actual: fraction(provider.routedTotal, routedAll) };
  });

  return {
    policy: config.policy,
    seed: config.seed,
    tickets: tickets.length,
    onTime: fraction(onTimeCount, tickets.length),
    byPriority,
    // Minor units summed exactly; one division at the end.
    costPerTicket: fraction(costMinor, completed) / 100,
    meanMinutesInSystem: fraction(minutesInSystem, completed),
    unfinished: fraction(tickets.length - completed, tickets.length),
    utilization,
    shares,
    byWeek: [...weeks.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([weekStartDate, count]) => ({ weekStart: weekStartDate, ...count })),
    utilizationByHour,
    lateness,
    lost: counters.lost,
    rebalanced: counters.rebalanced,
  };
}
