// Queue-aware routing (issue 9, ROUTING-THEORY.md §1–8): prediction from the ticket's place in the work order,
// triage work order with aging, displacement, overflow, lost, waiting for a slot, the deficit controller,
// invalid configurations, work stealing and wake-up order.
import { describe, expect, it } from 'vitest';
import { CalendarCache } from '../../shared/domain/calendar.js';
import { pickRebalance, type QueuedElsewhere } from '../../shared/domain/rebalance.js';
import { decideRoute, placementSettings, type RoutingDecision } from '../../shared/domain/routing.js';
import { DEFAULT_ROUTING_POLICY, type RoutingPolicy } from '../../shared/domain/schemas.js';
import type { Priority, ProviderSnapshot, RoutableTicket } from '../../shared/domain/types.js';
import { ticketsToWake } from '../../shared/domain/wake-up.js';
import {
  compareWork,
  inWorkOrder,
  type QueuedWork,
  type WorkOrderClock,
  workTier,
} from '../../shared/domain/work-order.js';
import {
  DAY,
  HOUR,
  iso,
  MINUTE,
  NOW,
  providerSnapshot,
  routableTicket,
} from '../fixtures/routing-entities.js';

/** The default policy without the safety margin: predictions are plain (work ahead + 1) / throughput. */
const NO_MARGIN: RoutingPolicy = { ...DEFAULT_ROUTING_POLICY, safetyMarginZ: 0 };

const everyDay = (from: string, to: string): ProviderSnapshot['businessHours'] => ({
  mon: [[from, to]],
  tue: [[from, to]],
  wed: [[from, to]],
  thu: [[from, to]],
  fri: [[from, to]],
  sat: [[from, to]],
  sun: [[from, to]],
});

/** Room for a hundred: capacity never decides here unless a test says so. */
const provider = (providerId: string, overrides: Partial<ProviderSnapshot> = {}) =>
  providerSnapshot(providerId, { capacity: 100, ...overrides });
const ticket = routableTicket;

const work = (ticketId: string, priority: Priority, dueMs: number, createdMs = NOW - HOUR): QueuedWork => ({
  ticketId,
  priority,
  dueMs,
  createdMs,
});

function decide(
  providers: ProviderSnapshot[],
  ticketOverrides: Partial<RoutableTicket> = {},
  policy: RoutingPolicy = DEFAULT_ROUTING_POLICY,
  calendars = new CalendarCache(),
): RoutingDecision {
  return decideRoute({ ticket: ticket(ticketOverrides), providers, policy, nowMs: NOW, calendars });
}

const candidateOf = (decision: RoutingDecision, providerId: string) =>
  decision.explanation.candidates.find((candidate) => candidate.providerId === providerId);

describe("issue 9's reproduction: a P1 goes to the open busy provider, not the closed idle one", () => {
  // A: 24×7, 20 open items, all queued P3/P4 due in days; 5 an hour. B: open 14:00–22:00 UTC, empty.
  const backlog = Array.from({ length: 20 }, (_, i) =>
    work(`backlog-${i}`, i % 2 === 0 ? 'P3' : 'P4', NOW + (2 + i) * DAY, NOW - DAY),
  );
  const a = provider('a', { openItems: 20, throughputPerHour: 5, queue: backlog });
  const b = provider('b', { throughputPerHour: 5, businessHours: everyDay('14:00', '22:00') });
  const p1 = { priority: 'P1' as const, createdAt: iso(NOW), dueAt: iso(NOW + HOUR) };

  it('routes to A: the P1 goes ahead of the whole backlog, so only itself is left to do', () => {
    const decision = decide([b, a], p1);
    expect(decision.order[0]).toBe('a');
    expect(decision.order.indexOf('b')).not.toBe(0);
    expect(decision.bestEffortLate).toBe(false);
    // At A nothing is ahead: mean 1/5 h = 12 min (12:12), margin 2·√1/5 h = 24 min: 12:36, before 13:00.
    expect(candidateOf(decision, 'a')).toMatchObject({
      eligible: true,
      predictedCompletionAt: '2026-03-02T12:36:00.000Z',
      workAhead: 0,
      marginMinutes: 24,
      displaces: 0,
    });
    // B opens at 14:00: 14:36 with the same margin, after due.
    expect(candidateOf(decision, 'b')).toMatchObject({
      eligible: false,
      predictedCompletionAt: '2026-03-02T14:36:00.000Z',
      reasons: ['cannot_meet_due'],
    });
  });

  it('predicts ≈12:12 at the mean: the plain arithmetic without margin', () => {
    expect(candidateOf(decide([b, a], p1, NO_MARGIN), 'a')?.predictedCompletionAt).toBe(
      '2026-03-02T12:12:00.000Z',
    );
  });

  it('still routes to A with one item in service (the issue\u2019s ≈12:24)', () => {
    const busy = { ...a, queue: backlog.slice(1) };
    // 1 in service ahead: mean 2/5 h = 24 min (12:24), margin 2·√2/5 h = 33.9 min;
    // 0.965685 h = 3476.467 s: 12:57:56.467, before 13:00.
    const decision = decide([b, busy], p1);
    expect(decision.order[0]).toBe('a');
    expect(candidateOf(decision, 'a')).toMatchObject({
      predictedCompletionAt: '2026-03-02T12:57:56.467Z',
      workAhead: 1,
      marginMinutes: 34,
    });
  });

  it('falls back to the back of the queue when the queue is unknown (the old picture: B first)', () => {
    // No queue: all 20 ahead, mean 21/5 h = 16:12 at A; B's mean 14:12. Both late: earliest mean finisher.
    const decision = decide([b, { ...a, queue: undefined }], p1);
    expect(decision.order).toStrictEqual(['b', 'a']);
    expect(decision.bestEffortLate).toBe(true);
    expect(candidateOf(decision, 'a')?.workAhead).toBe(20);
  });
});

describe('work order (triage)', () => {
  // Started now an item would be done in 1 h; late for more than a day goes first.
  const clock: WorkOrderClock = { nowMs: NOW, finishIfStartedNowMs: NOW + HOUR, lateAgingMs: DAY };

  it('puts aged-late work first, then what can still meet its due, then the late rest', () => {
    const items = [
      work('miss-p3-new', 'P3', NOW - 5 * HOUR, NOW - 6 * HOUR),
      work('ok-p2-later', 'P2', NOW + 5 * HOUR),
      work('aged-p1', 'P1', NOW - 2 * DAY),
      work('miss-p1', 'P1', NOW + 30 * MINUTE, NOW - HOUR),
      work('ok-p2-early', 'P2', NOW + 2 * HOUR),
      work('miss-p3-old', 'P3', NOW - HOUR, NOW - 10 * HOUR),
      work('aged-p4', 'P4', NOW - 3 * DAY),
      work('ok-p1-late', 'P1', NOW + 10 * HOUR),
    ];
    expect(inWorkOrder(items, clock).map((item) => item.ticketId)).toStrictEqual([
      // Tier 0, by due (priority does not matter): the P4 has waited longest.
      'aged-p4',
      'aged-p1',
      // Tier 1, by priority then due.
      'ok-p1-late',
      'ok-p2-early',
      'ok-p2-later',
      // Tier 2, by priority then age: the older P3 first even though the newer one's due is earlier.
      'miss-p1',
      'miss-p3-old',
      'miss-p3-new',
    ]);
  });

  it.each([
    { case: 'due exactly when it would finish', dueMs: NOW + HOUR, tier: 1 },
    { case: 'due a millisecond before it would finish', dueMs: NOW + HOUR - 1, tier: 2 },
    { case: 'late by a day exactly', dueMs: NOW - DAY, tier: 2 },
    { case: 'late by a day and a millisecond', dueMs: NOW - DAY - 1, tier: 0 },
  ])('ages into tier $tier when $case', ({ dueMs, tier }) => {
    expect(workTier(work('t', 'P4', dueMs), clock)).toBe(tier);
  });

  it('ages after the policy’s lateAgingSeconds (default 14 days)', () => {
    const lateAgingMs = placementSettings(DEFAULT_ROUTING_POLICY).lateAgingMs;
    expect(lateAgingMs).toBe(14 * DAY);
    const defaults = { ...clock, lateAgingMs };
    expect(workTier(work('t', 'P4', NOW - 13 * DAY), defaults)).toBe(2);
    expect(workTier(work('t', 'P4', NOW - 15 * DAY), defaults)).toBe(0);
    const short = placementSettings({ ...DEFAULT_ROUTING_POLICY, lateAgingSeconds: 3600 });
    expect(workTier(work('t', 'P4', NOW - 2 * HOUR), { ...clock, lateAgingMs: short.lateAgingMs })).toBe(0);
  });

  it('breaks full ties on the ticket id, so the order is total', () => {
    const [x, y] = [work('x', 'P2', NOW + 3 * HOUR), work('y', 'P2', NOW + 3 * HOUR)];
    expect(compareWork(x, y, clock)).toBeLessThan(0);
    expect(compareWork(y, x, clock)).toBeGreaterThan(0);
    expect(compareWork(x, x, clock)).toBe(0);
  });

  it('lets a new P1 jump the queued P4s in the prediction, but not a tier-0 item', () => {
    const queue = [work('aged', 'P4', NOW - 20 * DAY), work('p4', 'P4', NOW + 3 * DAY)];
    const decision = decide([provider('p', { openItems: 2, queue })], { priority: 'P1' }, NO_MARGIN);
    // Ahead: the aged one only. (1 + 1) / 10 h = 12 min.
    expect(candidateOf(decision, 'p')).toMatchObject({
      workAhead: 1,
      predictedCompletionAt: '2026-03-02T12:12:00.000Z',
    });
  });
});

describe('displacement', () => {
  // 1 an hour, default z = 2. A queued P3 due in 4 h: at place 1 it ends by 1 + 2·√1 = 3 h (on time);
  // pushed to place 2 by 2 + 2·√2 = 4.83 h (late). The new P1 (due in 10 h) would go ahead of it.
  const onTimeP3 = work('queued-p3', 'P3', NOW + 4 * HOUR);
  const pusher = provider('a-pusher', {
    throughputPerHour: 1,
    costPerItem: 0.5,
    openItems: 1,
    queue: [onTimeP3],
  });
  const clean = provider('z-clean', { throughputPerHour: 1, costPerItem: 1 });
  const p1 = { priority: 'P1' as const, dueAt: iso(NOW + 10 * HOUR) };

  it('ranks a provider that would push an on-time ticket late after one that pushes nobody', () => {
    const decision = decide([pusher, clean], p1);
    // The pusher is cheaper and sorts first by id: only displacement puts it second.
    expect(decision.order).toStrictEqual(['z-clean', 'a-pusher']);
    expect(candidateOf(decision, 'a-pusher')).toMatchObject({ eligible: true, displaces: 1, workAhead: 0 });
    expect(candidateOf(decision, 'z-clean')).toMatchObject({ eligible: true, displaces: 0 });
  });

  it('still routes to the displacing provider when it is the only one on time', () => {
    const decision = decide([pusher], p1);
    expect(decision.outcome).toBe('route');
    expect(decision.order).toStrictEqual(['a-pusher']);
  });

  it('counts nobody displaced when the queued ticket has slack for one more place', () => {
    const roomy = { ...pusher, queue: [work('queued-p3', 'P3', NOW + 5 * HOUR)] };
    expect(candidateOf(decide([roomy], p1), 'a-pusher')?.displaces).toBe(0);
  });

  it('counts nobody displaced when the ticket itself is late there', () => {
    // Due in 2 h: the P1 needs 3 h with the margin at the pusher, so displacement is not counted.
    const decision = decide([pusher], { priority: 'P1', dueAt: iso(NOW + 2 * HOUR) });
    expect(candidateOf(decision, 'a-pusher')).toMatchObject({ displaces: 0, reasons: ['cannot_meet_due'] });
  });
});

describe('overflow providers', () => {
  const overflow = provider('a-overflow', { overflow: true, costPerItem: 0.1, throughputPerHour: 60 });

  it('is not first while a regular provider is on time, even when cheaper and faster', () => {
    const decision = decide([overflow, provider('regular', { costPerItem: 5 })]);
    expect(decision.order[0]).toBe('regular');
    expect(decision.explanation.reason).toBe('best score');
  });

  it('takes the ticket when every regular provider would be late', () => {
    // Regular: 1 an hour, due in 30 min: late. Overflow: 1 min + 2 min margin.
    const decision = decide([provider('regular', { throughputPerHour: 1 }), overflow], {
      priority: 'P1',
      dueAt: iso(NOW + 30 * MINUTE),
    });
    expect(decision.order).toStrictEqual(['a-overflow']);
    expect(decision.explanation.reason).toBe('overflow');
    expect(decision.bestEffortLate).toBe(false);
    expect(candidateOf(decision, 'regular')?.reasons).toStrictEqual(['cannot_meet_due']);
  });
});

describe('lost tickets and waiting for a slot', () => {
  it('flags lost when no provider passing the filters can meet the due even at the mean', () => {
    // Both 2 an hour: mean 30 min, due in 20 min.
    const decision = decide(
      [provider('x', { throughputPerHour: 2 }), provider('y', { throughputPerHour: 2, openItems: 100 })],
      { priority: 'P1', dueAt: iso(NOW + 20 * MINUTE) },
    );
    expect(decision).toMatchObject({ outcome: 'route', order: ['x'], bestEffortLate: true, lost: true });
  });

  it('goes late but not lost when the mean would still make it (only the margin misses)', () => {
    // 10 an hour: mean 6 min ≤ 10 min, with the margin 18 min > 10 min.
    const decision = decide([provider('x')], { priority: 'P1', dueAt: iso(NOW + 10 * MINUTE) });
    expect(decision).toMatchObject({ outcome: 'route', order: ['x'], bestEffortLate: true, lost: false });
  });

  it('is not lost while a full provider could still meet the due at the mean', () => {
    // Full: 60 an hour, 10 ahead: mean 11 min ≤ 15 min, margin 2·√11 min = 6.6 min pushes it to 17.6 min.
    const decision = decide(
      [
        provider('full', { throughputPerHour: 60, capacity: 10, openItems: 10 }),
        provider('slow', { throughputPerHour: 1 }),
      ],
      { priority: 'P1', dueAt: iso(NOW + 15 * MINUTE) },
    );
    expect(decision).toMatchObject({ outcome: 'route', order: ['slow'], bestEffortLate: true, lost: false });
  });

  it('parks waiting for a slot when only a full provider would be on time', () => {
    const decision = decide(
      [
        provider('full', { throughputPerHour: 60, capacity: 5, openItems: 5 }),
        provider('slow', { throughputPerHour: 1 }),
      ],
      { priority: 'P1', dueAt: iso(NOW + 30 * MINUTE) },
    );
    // Full: mean 6 min + margin 2·√6 min = 10.9 min, on time; slow: 1 h + 2 h, late.
    expect(decision).toMatchObject({
      outcome: 'park',
      order: [],
      bestEffortLate: false,
      lost: false,
      explanation: { reason: 'waiting for a slot', providerId: null },
    });
    expect(candidateOf(decision, 'full')?.reasons).toStrictEqual(['at_capacity']);
    expect(candidateOf(decision, 'slow')?.reasons).toStrictEqual(['cannot_meet_due']);
  });
});

describe('allocation shares: the deficit controller per skill pool', () => {
  const TARGETS: Record<string, number> = { half: 0.5, third: 0.3, fifth: 0.2 };

  /** Routes `count` tickets per skill, alternating skills, feeding each routing back into the counters. */
  function route(skills: string[], count: number) {
    const providers = Object.entries(TARGETS).map(([id, share]) =>
      provider(id, {
        allocationShare: share,
        // The fifth lacks the second skill.
        skills: id === 'fifth' ? { billing: 3 } : { billing: 3, refunds: 3 },
        routedBySkill: {},
      }),
    );
    const calendars = new CalendarCache();
    const counts: Record<string, Record<string, number>> = {};
    for (let i = 0; i < count; i++) {
      for (const skill of skills) {
        const chosenId = decide(
          providers,
          { ticketId: `${skill}-${i}`, skill },
          DEFAULT_ROUTING_POLICY,
          calendars,
        ).order[0]!;
        const chosen = providers.find((p) => p.providerId === chosenId)!;
        const bySkill = chosen.routedBySkill!;
        bySkill[skill] = (bySkill[skill] ?? 0) + 1;
        chosen.routedLast24h += 1;
        // openItems stays 0: capacity never binds.
        const perSkill = (counts[skill] ??= {});
        perSkill[chosenId] = (perSkill[chosenId] ?? 0) + 1;
      }
    }
    return counts;
  }

  it('holds 0.5 / 0.3 / 0.2 within ±3 points over 300 tickets of one skill', () => {
    const counts = route(['billing'], 300).billing!;
    for (const [id, target] of Object.entries(TARGETS))
      expect(Math.abs((counts[id] ?? 0) / 300 - target)).toBeLessThanOrEqual(0.03);
  });

  it('holds the normalised split of a pool that lacks one provider, alongside the full pool', () => {
    const counts = route(['billing', 'refunds'], 300);
    // Refunds pool: half and third only, normalised 0.5/0.8 = 0.625 and 0.3/0.8 = 0.375.
    expect(counts.refunds?.fifth).toBeUndefined();
    expect(Math.abs(counts.refunds!.half! / 300 - 0.625)).toBeLessThanOrEqual(0.03);
    expect(Math.abs(counts.refunds!.third! / 300 - 0.375)).toBeLessThanOrEqual(0.03);
    // Counting per skill keeps the billing split on target despite the refunds volume.
    for (const [id, target] of Object.entries(TARGETS))
      expect(Math.abs((counts.billing![id] ?? 0) / 300 - target)).toBeLessThanOrEqual(0.03);
  });
});

describe('invalid configuration', () => {
  it.each<{ case: string; bad: Partial<ProviderSnapshot> }>([
    { case: 'throughputPerHour 0', bad: { throughputPerHour: 0 } },
    { case: 'a negative throughput', bad: { throughputPerHour: -1 } },
    { case: 'an infinite throughput', bad: { throughputPerHour: Number.POSITIVE_INFINITY } },
    { case: 'a NaN throughput', bad: { throughputPerHour: Number.NaN } },
    // The zone only matters once there are business hours to place in it.
    {
      case: 'an invalid time zone',
      bad: { timeZone: 'Mars/Olympus', businessHours: everyDay('00:00', '24:00') },
    },
  ])('skips a provider with $case and still routes to the healthy one', ({ bad }) => {
    const decision = decide([provider('a-bad', { costPerItem: 0.1, ...bad }), provider('healthy')]);
    expect(decision.outcome).toBe('route');
    expect(decision.order).toStrictEqual(['healthy']);
    expect(candidateOf(decision, 'a-bad')).toStrictEqual({
      providerId: 'a-bad',
      eligible: false,
      reasons: ['invalid_configuration'],
    });
  });
});

describe('a throughput near zero', () => {
  it.each([1e-9, 1e-12])(
    'throughput %s: the provider cannot finish, the healthy one takes the ticket',
    (rate) => {
      // Open 24x7: the work would end past the last instant a Date holds, which is "never", not an error.
      const decision = decide([
        provider('a-crawl', { costPerItem: 0.1, throughputPerHour: rate }),
        provider('healthy'),
      ]);
      expect(decision.outcome).toBe('route');
      expect(decision.order).toStrictEqual(['healthy']);
      expect(candidateOf(decision, 'a-crawl')).toMatchObject({
        eligible: false,
        reasons: ['cannot_meet_due'],
      });
    },
  );
});

describe('rebalancing (work stealing)', () => {
  const settings = placementSettings(DEFAULT_ROUTING_POLICY);
  const elsewhere = (
    providerId: string,
    ticketId: string,
    priority: Priority,
    dueMs: number,
    extra: Partial<RoutableTicket> = {},
  ): QueuedElsewhere => ({
    ...ticket({ ticketId, priority, dueAt: iso(dueMs), createdAt: iso(NOW - HOUR), ...extra }),
    providerId,
  });
  const asWork = (t: QueuedElsewhere) => work(t.ticketId, t.priority, Date.parse(t.dueAt));

  // Late where it is: behind 1 in service and 2 queued P1s at 1 an hour, 4 h before it; due in 2 h.
  const atRisk = elsewhere('slow', 'at-risk', 'P3', NOW + 2 * HOUR);
  const slow = provider('slow', {
    throughputPerHour: 1,
    openItems: 4,
    queue: [asWork(atRisk), work('p1-a', 'P1', NOW + DAY), work('p1-b', 'P1', NOW + DAY)],
  });
  // Waiting at a provider that opens at 14:00: on time there (17:00 with the margin), but idle until then.
  const waiting = elsewhere('closed', 'waiting', 'P4', NOW + 3 * DAY);
  const closed = provider('closed', {
    businessHours: everyDay('14:00', '22:00'),
    throughputPerHour: 1,
    openItems: 1,
    queue: [asWork(waiting)],
  });
  // Another skill: the taker may not take it.
  const foreign = elsewhere('closed', 'foreign', 'P1', NOW + HOUR, { skill: 'refunds' });
  const closedWithForeign = { ...closed, openItems: 2, queue: [...closed.queue!, asWork(foreign)] };
  const holders = new Map([slow, closedWithForeign].map((p) => [p.providerId, p]));
  const taker = provider('taker', { capacity: 10, costPerItem: 1 });

  const pick = (takerOverrides: Partial<ProviderSnapshot> = {}, max = 5) =>
    pickRebalance({
      taker: { ...taker, ...takerOverrides },
      queued: [waiting, foreign, atRisk],
      providers: holders,
      settings,
      nowMs: NOW,
      calendars: new CalendarCache(),
      max,
    }).map(({ ticket: t, reason }) => [t.ticketId, reason]);

  it('takes the at-risk ticket from the late provider first, then the one waiting at a closed provider', () => {
    expect(pick()).toStrictEqual([
      ['at-risk', 'sla_at_risk'],
      ['waiting', 'sooner'],
    ]);
    expect(pick({}, 1)).toStrictEqual([['at-risk', 'sla_at_risk']]);
  });

  it('leaves the waiting ticket where it is when the taker is dearer', () => {
    expect(pick({ costPerItem: 1.5 })).toStrictEqual([['at-risk', 'sla_at_risk']]);
  });

  it('takes at most the room it has', () => {
    expect(pick({ openItems: 9 })).toStrictEqual([['at-risk', 'sla_at_risk']]);
  });

  it.each<{ case: string; overrides: Partial<ProviderSnapshot> }>([
    { case: 'closed', overrides: { businessHours: everyDay('14:00', '22:00') } },
    { case: 'full', overrides: { openItems: 10 } },
  ])('takes nothing when the taker is $case', ({ overrides }) => {
    expect(pick(overrides)).toStrictEqual([]);
  });
});

describe('ticketsToWake', () => {
  const parked = (ticketId: string, priority: Priority, dueMs: number, skill = 'billing') => ({
    ...ticket({ ticketId, priority, skill, dueAt: iso(dueMs), createdAt: iso(NOW - 2 * HOUR) }),
    ...work(ticketId, priority, dueMs, NOW - 2 * HOUR),
  });
  const tickets = [
    parked('p4-soon', 'P4', NOW + HOUR),
    parked('p1-late', 'P1', NOW - HOUR),
    parked('refunds-p1', 'P1', NOW + 30 * MINUTE, 'refunds'),
    parked('p1-later', 'P1', NOW + 5 * HOUR),
    parked('p2-aged', 'P2', NOW - 30 * DAY),
  ];
  const freed = provider('freed', { skills: { billing: 3 }, openItems: 100 });

  it('wakes only what the freed provider may take, in work order', () => {
    expect(ticketsToWake(tickets, freed, NOW, 14 * DAY, 10).map((t) => t.ticketId)).toStrictEqual([
      'p2-aged', // late past the aging limit
      'p1-later', // can still meet its due: priority first
      'p4-soon',
      'p1-late', // late anyway
    ]);
  });

  it('wakes at most max', () => {
    expect(ticketsToWake(tickets, freed, NOW, 14 * DAY, 2).map((t) => t.ticketId)).toStrictEqual([
      'p2-aged',
      'p1-later',
    ]);
  });

  it('orders everything when no provider is named', () => {
    expect(ticketsToWake(tickets, undefined, NOW, 14 * DAY, 10).map((t) => t.ticketId)).toStrictEqual([
      'p2-aged',
      'refunds-p1',
      'p1-later',
      'p4-soon',
      'p1-late',
    ]);
  });
});
