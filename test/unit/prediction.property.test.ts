// Properties of predictPlacement (ROUTING-THEORY.md §5, §7): a ticket's completion counted from its place in
// the provider's work order, with a safety margin in the provider's open hours.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { businessHoursArb } from '../fixtures/routing-entities.js';
import { addOpenHours, type CompiledCalendar, compileCalendar } from '../../shared/domain/calendar.js';
import { type PlacementSettings, predictPlacement } from '../../shared/domain/prediction.js';
import { PRIORITIES } from '../../shared/domain/schemas.js';
import type { ProviderSnapshot } from '../../shared/domain/types.js';
import type { QueuedWork } from '../../shared/domain/work-order.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

// A whole year, both DST changes included.
const nowArb = fc.integer({
  min: Date.parse('2026-01-01T00:00:00.000Z'),
  max: Date.parse('2026-12-31T00:00:00.000Z'),
});

/** Due anywhere from a month late to days ahead (aged, late, on time). */
const broadDueArb = fc.integer({ min: -30 * 24 * 60, max: 5 * 24 * 60 }).map((minutes) => minutes * 60_000);
/** Due within a few dozen service times: one place more or less decides between on time and late. */
const tightDueArb = (serviceMs: number) =>
  // In hundredths of a service time: fc.double would mostly draw the bounds and zero.
  fc.integer({ min: -200, max: 3000 }).map((hundredths) => Math.round((hundredths / 100) * serviceMs));

const workArb = (nowMs: number, ticketId: string, dueInArb: fc.Arbitrary<number>) =>
  fc
    .record({
      priority: fc.constantFrom(...PRIORITIES),
      dueInMs: dueInArb,
      ageMinutes: fc.integer({ min: 0, max: 30 * 24 * 60 }),
    })
    .map(({ priority, dueInMs, ageMinutes }): QueuedWork => ({
      ticketId,
      priority,
      dueMs: nowMs + dueInMs,
      createdMs: nowMs - ageMinutes * 60_000,
    }));

/**
 * A provider, its work and a ticket. `urgent`: the ticket is a P1 due in days (on time, ahead of most of a
 * known queue of tightly due items), so that displacement actually happens.
 */
const scenarioArbWith = ({ urgent }: { urgent: boolean }) =>
  fc.tuple(nowArb, fc.double({ min: 0.5, max: 50, noNaN: true })).chain(([nowMs, throughputPerHour]) => {
    const serviceMs = HOUR_MS / throughputPerHour;
    const dueIn = urgent ? tightDueArb(serviceMs) : fc.oneof(broadDueArb, tightDueArb(serviceMs));
    return fc.record({
      nowMs: fc.constant(nowMs),
      timeZone: fc.constantFrom('UTC', 'America/New_York', 'Asia/Kolkata', 'Asia/Manila'),
      // Half the time 24×7, so the work rather than the calendar decides.
      businessHours: fc.option(businessHoursArb, { nil: undefined, freq: 2 }),
      throughputPerHour: fc.constant(throughputPerHour),
      inService: fc.integer({ min: 0, max: 3 }),
      /** Unknown queue: every open item counts as ahead. */
      queueKnown: urgent ? fc.constant(true) : fc.boolean(),
      queue: fc
        .integer({ min: urgent ? 5 : 0, max: 25 })
        .chain((length) => fc.tuple(...Array.from({ length }, (_, i) => workArb(nowMs, `q-${i}`, dueIn)))),
      ticket: urgent
        ? fc.constant<QueuedWork>({
            ticketId: 'ticket-1',
            priority: 'P1',
            dueMs: nowMs + 3 * DAY_MS,
            createdMs: nowMs,
          })
        : workArb(nowMs, 'ticket-1', dueIn),
      extra: workArb(nowMs, 'extra', dueIn),
      settings: fc.record({
        safetyMarginZ: fc.integer({ min: 0, max: 30 }).map((tenths) => tenths / 10),
        lateAgingMs: fc.integer({ min: 1, max: 30 }).map((days) => days * DAY_MS),
      }),
    });
  });
const scenarioArb = scenarioArbWith({ urgent: false });
const urgentArb = scenarioArbWith({ urgent: true });

type Scenario = {
  nowMs: number;
  timeZone: string;
  businessHours: ProviderSnapshot['businessHours'];
  throughputPerHour: number;
  inService: number;
  queueKnown: boolean;
  queue: QueuedWork[];
  ticket: QueuedWork;
  extra: QueuedWork;
  settings: PlacementSettings;
};

function snapshot(s: Scenario, queue: QueuedWork[], inService: number): ProviderSnapshot {
  return {
    providerId: 'p',
    status: 'active',
    timeZone: s.timeZone,
    ...(s.businessHours ? { businessHours: s.businessHours } : {}),
    skills: { billing: 3 },
    capacity: 1000,
    throughputPerHour: s.throughputPerHour,
    costPerItem: 1,
    qualityScore: 1,
    dataClearance: 'restricted',
    openItems: inService + queue.length,
    ...(s.queueKnown ? { queue } : {}),
    version: 1,
    updatedAt: '2026-01-01T00:00:00.000Z',
    routedLast24h: 0,
  };
}

/** Compiling is slow (luxon): once per scenario. */
const calendars = new WeakMap<Scenario, CompiledCalendar>();
function calendarOf(s: Scenario): CompiledCalendar {
  let calendar = calendars.get(s);
  if (!calendar) {
    calendar = compileCalendar({ timeZone: s.timeZone, businessHours: s.businessHours }, s.nowMs);
    calendars.set(s, calendar);
  }
  return calendar;
}

function place(s: Scenario, queue = s.queue, inService = s.inService) {
  const calendar = calendarOf(s);
  const placement = predictPlacement(snapshot(s, queue, inService), s.ticket, calendar, s.nowMs, s.settings);
  return { calendar, placement };
}

/** No completion within the calendar's horizon is later than any instant. */
const orInfinity = (ms: number | null) => ms ?? Number.POSITIVE_INFINITY;

describe('prediction properties', { timeout: 30_000 }, () => {
  it('is never earlier than the work ahead allows: (ahead + 1) / throughput open hours from now', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { calendar, placement } = place(s);
        const bound = addOpenHours(calendar, s.nowMs, (placement.workAhead + 1) / s.throughputPerHour);
        // 1 ms for the floating-point difference between (k + 1) / μ and (k + 1) · (1 / μ).
        expect(orInfinity(placement.meanCompletionMs)).toBeGreaterThanOrEqual(orInfinity(bound) - 1);
        expect(orInfinity(placement.completionMs)).toBeGreaterThanOrEqual(
          orInfinity(placement.meanCompletionMs),
        );
        expect(placement.marginHours).toBeGreaterThanOrEqual(0);
        expect(placement.workAhead).toBeGreaterThanOrEqual(
          s.queueKnown ? s.inService : s.inService + s.queue.length,
        );
      }),
      { numRuns: 300 },
    );
  });

  it('is never earlier than the prediction with one item fewer ahead', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => {
        const { placement } = place(s);
        fc.pre(placement.workAhead > 0);
        // One fewer in service when there is one; else drop one of the queued items ahead of the ticket.
        let fewer: ReturnType<typeof place>['placement'];
        if (s.inService > 0) fewer = place(s, s.queue, s.inService - 1).placement;
        else {
          const ahead = s.queue.findIndex((_, i) => {
            const without = s.queue.filter((__, j) => j !== i);
            return place(s, without).placement.workAhead === placement.workAhead - 1;
          });
          fc.pre(ahead >= 0);
          fewer = place(
            s,
            s.queue.filter((_, j) => j !== ahead),
          ).placement;
        }
        expect(fewer.workAhead).toBe(placement.workAhead - 1);
        expect(orInfinity(placement.completionMs)).toBeGreaterThanOrEqual(orInfinity(fewer.completionMs));
        expect(orInfinity(placement.meanCompletionMs)).toBeGreaterThanOrEqual(
          orInfinity(fewer.meanCompletionMs),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('never gets earlier when an item is added, in service or queued anywhere in the work order', () => {
    fc.assert(
      fc.property(scenarioArb, fc.boolean(), (s, inService) => {
        const { placement } = place(s);
        const more = inService
          ? place(s, s.queue, s.inService + 1).placement
          : place(s, [...s.queue, s.extra]).placement;
        expect(more.workAhead).toBeGreaterThanOrEqual(placement.workAhead);
        expect(more.workAhead).toBeLessThanOrEqual(placement.workAhead + 1);
        expect(orInfinity(more.completionMs)).toBeGreaterThanOrEqual(orInfinity(placement.completionMs));
        expect(orInfinity(more.meanCompletionMs)).toBeGreaterThanOrEqual(
          orInfinity(placement.meanCompletionMs),
        );
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    { case: 'any ticket', arb: scenarioArb },
    { case: 'an urgent P1 with work behind it', arb: urgentArb },
  ])('never counts a negative displacement, nor more than the items behind the ticket ($case)', ({ arb }) => {
    let displacing = 0;
    fc.assert(
      fc.property(arb, (s) => {
        const { placement } = place(s);
        if (placement.displaces > 0) displacing++;
        // Known queue: ahead = in service + queued ahead, the rest of the queue is behind. Unknown: nothing.
        const behind = s.queueKnown ? s.queue.length - (placement.workAhead - s.inService) : 0;
        expect(behind).toBeGreaterThanOrEqual(0);
        expect(placement.displaces).toBeGreaterThanOrEqual(0);
        expect(placement.displaces).toBeLessThanOrEqual(behind);
        // Only counted when the ticket itself is on time there.
        if (placement.completionMs === null || placement.completionMs > s.ticket.dueMs)
          expect(placement.displaces).toBe(0);
      }),
      { numRuns: 300 },
    );
    // Not vacuous: the urgent scenarios push queued work late about one time in five.
    if (arb === urgentArb) expect(displacing).toBeGreaterThan(10);
  });
});
