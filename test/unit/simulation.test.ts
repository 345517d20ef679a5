// The simulator against queueing theory (M/M/1), and its determinism and output ranges for every policy.
import { describe, expect, it } from 'vitest';
import { PRIORITIES } from '../../shared/domain/schemas.js';
import { runSimulation } from '../../shared/simulation/engine.js';
import { seededRandom } from '../../shared/simulation/random.js';
import {
  POLICY_NAMES,
  type SimProviderConfig,
  type SimulationResult,
  type TraceTicket,
} from '../../shared/simulation/types.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const START_MS = Date.parse('2026-01-05T00:00:00.000Z'); // a Monday

/** Poisson arrivals: exponential gaps with mean 1/λ hours, from a seeded stream. */
function poissonTrace(
  seed: number,
  count: number,
  perHour: number,
  ticket: (index: number, createdMs: number, next: () => number) => Omit<TraceTicket, 'createdMs'>,
): TraceTicket[] {
  const next = seededRandom(seed);
  let atMs = START_MS;
  return Array.from({ length: count }, (_, index) => {
    atMs += (-Math.log(1 - next()) / perHour) * HOUR_MS;
    const createdMs = Math.round(atMs);
    return { createdMs, ...ticket(index, createdMs, next) };
  });
}

describe('M/M/1: one 24×7 provider, μ = 6/h, Poisson arrivals λ = 3/h', () => {
  const MU = 6;
  const LAMBDA = 3;
  const TICKETS = 20_000;
  const SEED = 1;
  /** Mean time in system 1 / (μ − λ) = 1/3 h = 20 min; ρ = λ/μ = 0.5. */
  const MEAN_MINUTES = 60 / (MU - LAMBDA);
  const solo: SimProviderConfig = {
    providerId: 'solo',
    status: 'active',
    timeZone: 'UTC',
    skills: { billing: 3 },
    capacity: 1_000_000,
    throughputPerHour: MU,
    costPerItem: 1,
    qualityScore: 1,
    dataClearance: 'restricted',
  };
  const run = (policy: 'earliest-completion' | 'outroute', tickets: TraceTicket[]) =>
    runSimulation({ tickets, providers: [solo], policy, seed: SEED });

  // Both policies work this queue first come, first served: 'earliest-completion' leases earliest due
  // first, and with every due at the same offset from arrival that is arrival order; 'outroute' leases by
  // tier, then priority, then due (tier 1) or age (tier 2), all in arrival order for same-priority tickets
  // that are either all on time (due far away) or all late (due on arrival).
  describe.each(['earliest-completion', 'outroute'] as const)('%s', (policy) => {
    it('spends 1/(μ − λ) = 20 min in system on average (within 5 %) and is busy λ/μ = 0.5 of the time (within 2 points)', () => {
      const far = poissonTrace(SEED, TICKETS, LAMBDA, (_i, createdMs) => ({
        priority: 'P4',
        skill: 'billing',
        dueMs: createdMs + 60 * DAY_MS,
      }));
      const result = run(policy, far);
      expect(result.tickets).toBe(TICKETS);
      expect(result.unfinished).toBe(0);
      expect(result.onTime).toBe(1);
      expect(Math.abs(result.meanMinutesInSystem / MEAN_MINUTES - 1)).toBeLessThanOrEqual(0.05);
      // Utilisation is sampled every 5 minutes over the arrivals.
      expect(Math.abs(result.utilization.solo! - LAMBDA / MU)).toBeLessThanOrEqual(0.02);
    }, 60_000);

    it('follows the FIFO sojourn law P(T ≤ t) = 1 − e^(−(μ−λ)t), not only its mean', () => {
      // With each ticket due on arrival its lateness is its time in system, and the lateness histogram
      // (buckets ≤ 0, 15, 60, 240 … minutes) gives the sojourn-time distribution at 15 and 60 minutes. FIFO
      // M/M/1 sojourn is exponential with mean 1/(μ − λ): P(T ≤ 15 min) = 1 − e^(−0.75) = 0.5276 and
      // P(T ≤ 60 min) = 1 − e^(−3) = 0.9502; the mean implied, W = −t / ln(1 − P(T ≤ t)), agrees with the
      // one measured directly.
      const dueOnArrival = poissonTrace(SEED, TICKETS, LAMBDA, (_i, createdMs) => ({
        priority: 'P4',
        skill: 'billing',
        dueMs: createdMs,
      }));
      const { lateness, unfinished, meanMinutesInSystem } = run(policy, dueOnArrival);
      expect(unfinished).toBe(0);
      const completed = lateness.reduce((sum, count) => sum + count, 0);
      expect(completed).toBe(TICKETS);
      expect(lateness[0]).toBe(0); // nothing is done the instant it arrives
      const within15 = (lateness[0]! + lateness[1]!) / completed;
      const within60 = within15 + lateness[2]! / completed;
      expect(Math.abs(within15 - (1 - Math.exp(-15 / MEAN_MINUTES)))).toBeLessThanOrEqual(0.015);
      expect(Math.abs(within60 - (1 - Math.exp(-60 / MEAN_MINUTES)))).toBeLessThanOrEqual(0.01);
      const impliedMinutes = -15 / Math.log(1 - within15);
      expect(Math.abs(impliedMinutes / MEAN_MINUTES - 1)).toBeLessThanOrEqual(0.05);
      // Same arrivals and work in the same order as with dues far away: the same mean.
      expect(Math.abs(meanMinutesInSystem / MEAN_MINUTES - 1)).toBeLessThanOrEqual(0.05);
    }, 60_000);
  });
});

describe('a small two-time-zone scenario', () => {
  const weekdays = (from: string, to: string, days = ['mon', 'tue', 'wed', 'thu', 'fri']) =>
    Object.fromEntries(days.map((day) => [day, [[from, to]]])) as SimProviderConfig['businessHours'];
  const providers: SimProviderConfig[] = [
    {
      providerId: 'new-york',
      status: 'active',
      timeZone: 'America/New_York',
      businessHours: weekdays('09:00', '17:00'),
      skills: { billing: 4, refunds: 3 },
      capacity: 20,
      throughputPerHour: 4,
      costPerItem: 12,
      qualityScore: 0.95,
      dataClearance: 'restricted',
      allocationShare: 0.4,
    },
    {
      providerId: 'manila',
      status: 'active',
      timeZone: 'Asia/Manila',
      businessHours: weekdays('08:00', '20:00', ['mon', 'tue', 'wed', 'thu', 'fri', 'sat']),
      skills: { billing: 3 },
      capacity: 30,
      throughputPerHour: 5,
      costPerItem: 6,
      qualityScore: 0.85,
      dataClearance: 'confidential',
      allocationShare: 0.6,
    },
  ];
  // Two weeks at 1.5 tickets an hour; a fifth are refunds only New York can do.
  const tickets = poissonTrace(7, 500, 1.5, (_i, _createdMs, next) => ({
    priority: PRIORITIES[Math.floor(next() * PRIORITIES.length)]!,
    skill: next() < 0.2 ? 'refunds' : 'billing',
  }));
  const simulate = (policy: (typeof POLICY_NAMES)[number], seed = 3): SimulationResult =>
    runSimulation({ tickets, providers, policy, seed });

  const inUnitRange = (x: number) => {
    expect(Number.isFinite(x)).toBe(true);
    expect(x).toBeGreaterThanOrEqual(0);
    expect(x).toBeLessThanOrEqual(1);
  };

  it.each(POLICY_NAMES)('%s runs and reports fractions in 0..1', (policy) => {
    const result = simulate(policy);
    expect(result.policy).toBe(policy);
    expect(result.tickets).toBe(tickets.length);
    inUnitRange(result.onTime);
    inUnitRange(result.unfinished);
    let byPriorityTickets = 0;
    for (const { tickets: count, onTime } of Object.values(result.byPriority)) {
      byPriorityTickets += count;
      if (count > 0) inUnitRange(onTime / count);
    }
    expect(byPriorityTickets).toBe(tickets.length);
    expect(Object.keys(result.utilization).sort()).toStrictEqual(['manila', 'new-york']);
    for (const utilization of Object.values(result.utilization)) inUnitRange(utilization);
    for (const byHour of Object.values(result.utilizationByHour)) byHour.forEach(inUnitRange);
    for (const { target, actual } of Object.values(result.shares)) {
      inUnitRange(actual);
      if (target !== null) inUnitRange(target);
    }
    expect(result.costPerTicket).toBeGreaterThanOrEqual(0);
    // Every completed ticket lands in one lateness bucket.
    const completed = result.lateness.reduce((sum, count) => sum + count, 0);
    expect(completed).toBe(Math.round((1 - result.unfinished) * tickets.length));
    for (const week of result.byWeek) expect(week.onTime).toBeLessThanOrEqual(week.tickets);
  });

  it('replays bit for bit with the same seed', () => {
    for (const policy of ['outroute', 'least-loaded'] as const)
      expect(simulate(policy, 11)).toStrictEqual(simulate(policy, 11));
  });

  it('draws other work with another seed', () => {
    expect(simulate('outroute', 11).utilization).not.toStrictEqual(simulate('outroute', 12).utilization);
  });
});
