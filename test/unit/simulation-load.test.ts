import { describe, expect, it } from 'vitest';
import {
  capacityPerWeek,
  loadFactor,
  offeredPerWeek,
  openHoursInWeek,
  scaleLoad,
} from '../../shared/simulation/load.js';
import { seededRandom } from '../../shared/simulation/random.js';
import type { SimProviderConfig, TraceTicket } from '../../shared/simulation/types.js';

const HOUR_MS = 3_600_000;
const WEEK_MS = 7 * 24 * HOUR_MS;
const START_MS = Date.parse('2025-01-06T00:00:00Z'); // a Monday

const nineToFive = {
  mon: [['09:00', '17:00']],
  tue: [['09:00', '17:00']],
  wed: [['09:00', '17:00']],
  thu: [['09:00', '17:00']],
  fri: [['09:00', '17:00']],
} as SimProviderConfig['businessHours'];

const provider = (overrides: Partial<SimProviderConfig>): SimProviderConfig => ({
  providerId: 'p',
  status: 'active',
  timeZone: 'UTC',
  skills: { s: 3 },
  capacity: 10,
  throughputPerHour: 10,
  costPerItem: 1,
  qualityScore: 1,
  dataClearance: 'internal',
  ...overrides,
});

/** `weeks` weeks of arrivals at random instants, `perWeek` a week on average. */
function syntheticTrace(weeks: number, perWeek: number, seed = 99): TraceTicket[] {
  const next = seededRandom(seed);
  return Array.from({ length: weeks * perWeek }, () => ({
    createdMs: START_MS + Math.floor(next() * weeks * WEEK_MS),
    priority: 'P3' as const,
    skill: 's',
  })).sort((a, b) => a.createdMs - b.createdMs);
}

describe('capacity is throughput × open hours in the providers’ own zones', () => {
  it('counts 40 h for 09-17 Mon-Fri, 168 h for no business hours, and ignores paused providers', () => {
    const newYork = provider({ providerId: 'ny', timeZone: 'America/New_York', businessHours: nineToFive });
    expect(openHoursInWeek(newYork, START_MS)).toBe(40);
    expect(openHoursInWeek(provider({}), START_MS)).toBe(168);
    expect(
      capacityPerWeek(
        [newYork, provider({ providerId: 'x', throughputPerHour: 2 }), provider({ status: 'paused' })],
        START_MS,
      ),
    ).toBe(400 + 336);
  });

  it('leaves out a holiday in the week', () => {
    const withHoliday = provider({ businessHours: nineToFive, holidays: ['2025-01-08'] });
    expect(openHoursInWeek(withHoliday, START_MS)).toBe(32);
  });
});

describe('scaleLoad', () => {
  const trace = syntheticTrace(10, 2_000);
  const providers = [provider({ throughputPerHour: 2_000 / 168 })]; // capacity = the trace's weekly rate

  it('states the load against weekly capacity', () => {
    expect(offeredPerWeek(trace)).toBeCloseTo(2_000, -1);
    expect(loadFactor(trace, providers, 0.7)).toBeCloseTo(0.7, 2);
  });

  it.each([0.3, 0.7, 0.95])('keeps about a share %s of the tickets below the trace rate', (load) => {
    const scaled = scaleLoad(trace, providers, load, 1);
    const expected = loadFactor(trace, providers, load) * trace.length;
    // Binomial thinning of 20,000 tickets: 4 standard deviations stay under 1.5 %.
    expect(Math.abs(scaled.length - expected) / trace.length).toBeLessThan(0.015);
  });

  it('keeps a subset of the tickets of a higher load (common random numbers)', () => {
    const low = new Set(scaleLoad(trace, providers, 0.5, 4));
    const high = new Set(scaleLoad(trace, providers, 0.9, 4));
    expect([...low].every((ticket) => high.has(ticket))).toBe(true);
  });

  it('overlays week-shifted copies above the trace rate: same weekday and hour, inside the span', () => {
    const scaled = scaleLoad(trace, providers, 2.5, 1);
    const factor = loadFactor(trace, providers, 2.5);
    expect(Math.abs(scaled.length - factor * trace.length) / trace.length).toBeLessThan(0.015);
    const slotOf = (createdMs: number) => (createdMs - START_MS) % WEEK_MS;
    const traceSlots = new Set(trace.map((ticket) => slotOf(ticket.createdMs)));
    expect(scaled.every((ticket) => traceSlots.has(slotOf(ticket.createdMs)))).toBe(true);
    expect(scaled[0]!.createdMs).toBeGreaterThanOrEqual(START_MS);
    expect(scaled.at(-1)!.createdMs).toBeLessThan(START_MS + 10 * WEEK_MS);
    // Each copy lands on other weeks than the original: the weekly counts stay even.
    const perWeek = Array.from({ length: 10 }, () => 0);
    for (const ticket of scaled) perWeek[Math.floor((ticket.createdMs - START_MS) / WEEK_MS)]!++;
    for (const count of perWeek) expect(count / (scaled.length / 10)).toBeGreaterThan(0.9);
  });

  it('shifts a due time with its ticket', () => {
    const withDue = trace.map((ticket) => ({ ...ticket, dueMs: ticket.createdMs + HOUR_MS }));
    for (const ticket of scaleLoad(withDue, providers, 1.8, 2))
      expect(ticket.dueMs! - ticket.createdMs).toBe(HOUR_MS);
  });

  it('is deterministic per seed, sorted, and differs between seeds', () => {
    const once = scaleLoad(trace, providers, 1.3, 7);
    expect(scaleLoad(trace, providers, 1.3, 7)).toStrictEqual(once);
    expect(scaleLoad(trace, providers, 1.3, 8)).not.toStrictEqual(once);
    expect(once.every((ticket, i) => i === 0 || once[i - 1]!.createdMs <= ticket.createdMs)).toBe(true);
  });

  it('refuses a load that is not a positive number, and providers without open hours', () => {
    expect(() => scaleLoad(trace, providers, 0, 1)).toThrow(/positive/);
    expect(() => scaleLoad(trace, [provider({ status: 'offline' })], 1, 1)).toThrow(/no open capacity/);
  });
});
