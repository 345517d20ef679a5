// Effort units (issue 14 point 2): capacity and throughput are counted in units a ticket may take more than
// one of; with every effort 1 everything is as before.
import { describe, expect, it } from 'vitest';
import { compileCalendar } from '../../shared/domain/calendar.js';
import { hardFilterReasons } from '../../shared/domain/hard-filters.js';
import { predictPlacement } from '../../shared/domain/prediction.js';
import { decideRoute } from '../../shared/domain/routing.js';
import { DEFAULT_ROUTING_POLICY, DEFAULT_SLA_POLICY, slaPolicySchema } from '../../shared/domain/schemas.js';
import { effortFor, newTicket } from '../../shared/domain/ticket.js';
import type { QueuedWork } from '../../shared/domain/work-order.js';
import { runSimulation } from '../../shared/simulation/engine.js';
import { parseTrace, TraceError } from '../../shared/simulation/trace.js';
import { CalendarCache } from '../../shared/domain/calendar.js';
import { ticketInput } from '../fixtures/entities.js';
import { DAY, HOUR, NOW, providerSnapshot, routableTicket } from '../fixtures/routing-entities.js';

const NO_MARGIN = { safetyMarginZ: 0, lateAgingMs: 14 * DAY };
const WITH_MARGIN = { safetyMarginZ: 2, lateAgingMs: 14 * DAY };
const always = compileCalendar({ timeZone: 'UTC' }, NOW);
const work = (ticketId: string, effort: number, dueMs = NOW + DAY): QueuedWork => ({
  ticketId,
  priority: 'P3',
  dueMs,
  createdMs: NOW - HOUR,
  ...(effort > 1 ? { effort } : {}),
});

describe('effort arithmetic in prediction', () => {
  // 2 units an open hour, open all the time: a unit is half an hour.
  const provider = (openItems: number, queue: QueuedWork[]) =>
    providerSnapshot('acme', { capacity: 100, throughputPerHour: 2, openItems, queue });

  it('a ticket of effort 3 on an idle provider takes 3 units of its throughput: 1.5 h', () => {
    const placement = predictPlacement(provider(0, []), work('t', 3), always, NOW, NO_MARGIN);
    expect(placement.completionMs).toBe(NOW + 1.5 * HOUR);
    expect(placement.workAhead).toBe(0);
  });

  it('work ahead and in service are counted in units, so the margin too', () => {
    // 7 open units: a queued ticket of 4 units ahead (due sooner) and 3 units in service.
    const queue = [work('big', 4, NOW + 6 * HOUR)];
    const placement = predictPlacement(provider(7, queue), work('t', 2), always, NOW, WITH_MARGIN);
    expect(placement.workAhead).toBe(7);
    // 9 units of half an hour, margin 2·√9·0.5 h = 3 h.
    expect(placement.marginHours).toBe(3);
    expect(placement.completionMs).toBe(NOW + 7.5 * HOUR);
  });

  it('with every effort 1 a unit is an item, as before', () => {
    const ones = predictPlacement(
      provider(3, [work('a', 1, NOW + HOUR)]),
      work('t', 1),
      always,
      NOW,
      NO_MARGIN,
    );
    expect(ones.workAhead).toBe(3);
    expect(ones.completionMs).toBe(NOW + 2 * HOUR);
  });

  it('a big ticket placed ahead pushes the queued ones back by its units', () => {
    // One queued P4 ticket of 1 unit due in 2.75 h, done at 0.5 h now; a P3 of 5 units goes ahead of it
    // (done at 2.5 h) and pushes it to 3 h: late. A P3 of 1 unit pushes it to 1 h only.
    const queued: QueuedWork = { ...work('p4', 1, NOW + 2.75 * HOUR), priority: 'P4' };
    const placement = predictPlacement(provider(1, [queued]), work('t', 5), always, NOW, NO_MARGIN);
    expect(placement.completionMs).toBe(NOW + 2.5 * HOUR);
    expect(placement.displaces).toBe(1);
    const small = predictPlacement(provider(1, [queued]), work('t', 1), always, NOW, NO_MARGIN);
    expect(small.displaces).toBe(0);
  });
});

describe('capacity in units: hard filters and routing', () => {
  it('too_large when the effort exceeds the whole capacity; at_capacity when it does not fit now', () => {
    const small = providerSnapshot('small', { capacity: 4, openItems: 0 });
    const busy = providerSnapshot('busy', { capacity: 10, openItems: 8 });
    const closed = providerSnapshot('closed', { capacity: 0, openItems: 0 });
    expect(hardFilterReasons(small, routableTicket({ effort: 5 }))).toStrictEqual(['too_large']);
    expect(hardFilterReasons(small, routableTicket({ effort: 4 }))).toStrictEqual([]);
    expect(hardFilterReasons(busy, routableTicket({ effort: 3 }))).toStrictEqual(['at_capacity']);
    expect(hardFilterReasons(busy, routableTicket({ effort: 2 }))).toStrictEqual([]);
    expect(hardFilterReasons(closed, routableTicket())).toStrictEqual(['at_capacity']);
  });

  it('routes a big ticket past a provider too small for it, and says why', () => {
    const decision = decideRoute({
      ticket: routableTicket({ effort: 20 }),
      providers: [
        providerSnapshot('cheap', { capacity: 10, costPerItem: 1 }),
        providerSnapshot('large', { capacity: 50, costPerItem: 5 }),
      ],
      policy: DEFAULT_ROUTING_POLICY,
      nowMs: NOW,
      calendars: new CalendarCache(),
    });
    expect(decision.outcome).toBe('route');
    expect(decision.order[0]).toBe('large');
    expect(decision.explanation.candidates.find((c) => c.providerId === 'cheap')?.reasons).toStrictEqual([
      'too_large',
    ]);
  });
});

describe('a ticket’s effort', () => {
  const policy = slaPolicySchema.parse({ ...DEFAULT_SLA_POLICY, effortBySkill: { claims: 5 } });

  it('its own, else the SLA policy’s default for its skill, else 1 (stored only above 1)', () => {
    expect(effortFor({ effort: 3, skill: 'claims' }, policy)).toBe(3);
    expect(effortFor({ skill: 'claims' }, policy)).toBe(5);
    expect(effortFor({ skill: 'billing' }, policy)).toBe(1);
    expect(effortFor({ skill: 'constructor' }, policy)).toBe(1);
    const make = (input: Parameters<typeof ticketInput>[0]) =>
      newTicket({
        sourceId: 'crm',
        input: ticketInput(input),
        bodyHash: 'h',
        now: '2026-11-23T10:00:00.000Z',
        slaPolicy: policy,
      });
    expect(make({ skill: 'claims' }).effort).toBe(5);
    expect(make({ skill: 'billing' })).not.toHaveProperty('effort');
  });

  it('out of range is refused by the schemas', () => {
    expect(slaPolicySchema.safeParse({ ...DEFAULT_SLA_POLICY, effortBySkill: { claims: 101 } }).success).toBe(
      false,
    );
  });
});

describe('the simulator counts units', () => {
  const provider = {
    providerId: 'solo',
    status: 'active' as const,
    timeZone: 'UTC',
    skills: { billing: 3 },
    capacity: 5,
    throughputPerHour: 5,
    costPerItem: 1,
    qualityScore: 1,
    dataClearance: 'restricted' as const,
  };

  it('never holds more units than capacity, and leaves a ticket larger than any capacity unrouted', () => {
    const tickets = [
      ...Array.from({ length: 4 }, (_, i) => ({
        createdMs: NOW + i,
        priority: 'P4' as const,
        skill: 'billing',
        effort: 3,
      })),
      { createdMs: NOW + 10, priority: 'P4' as const, skill: 'billing', effort: 6 },
    ];
    const result = runSimulation({
      tickets,
      providers: [provider],
      policy: 'outroute',
      seed: 7,
      drainMs: 30 * DAY,
    });
    // The four 3-unit tickets are worked one by one; the 6-unit one fits nowhere.
    expect(result.unfinished).toBeCloseTo(1 / 5, 6);
  });

  it('reads an effort column from a trace, and refuses a bad one', () => {
    const csv = 'createdAt,skill,effort\n2026-11-23T10:00:00Z,billing,4\n2026-11-23T10:01:00Z,billing,\n';
    expect(parseTrace(csv).map((t) => t.effort)).toStrictEqual([4, undefined]);
    expect(() => parseTrace('createdAt,skill,effort\n2026-11-23T10:00:00Z,billing,0.5\n')).toThrow(
      TraceError,
    );
  });
});
