import { describe, expect, it } from 'vitest';
import { CalendarCache } from '../../shared/domain/calendar.js';
import {
  decideRoute,
  effectiveMinProficiency,
  type RoutingDecision,
  tieBreak,
} from '../../shared/domain/routing.js';
import { DEFAULT_ROUTING_POLICY, type RoutingPolicy } from '../../shared/domain/schemas.js';
import type { Candidate, ProviderSnapshot, RoutableTicket } from '../../shared/domain/types.js';
import { HOUR, iso, MINUTE, NOW, providerSnapshot, routableTicket } from '../fixtures/routing-entities.js';

const provider = providerSnapshot;
const ticket = routableTicket;

function decide(
  providers: ProviderSnapshot[],
  ticketOverrides: Partial<RoutableTicket> = {},
  policy: RoutingPolicy = DEFAULT_ROUTING_POLICY,
): RoutingDecision {
  return decideRoute({
    ticket: ticket(ticketOverrides),
    providers,
    policy,
    nowMs: NOW,
    calendars: new CalendarCache(),
  });
}

/** The default policy without the safety margin: predictions are plain (work ahead + 1) / throughput. */
const NO_MARGIN: RoutingPolicy = { ...DEFAULT_ROUTING_POLICY, safetyMarginZ: 0 };

const candidateOf = (decision: RoutingDecision, providerId: string) =>
  decision.explanation.candidates.find((candidate) => candidate.providerId === providerId);

describe('hard filters', () => {
  describe.each<{
    code: string;
    bad: Partial<ProviderSnapshot>;
    ticket: Partial<RoutableTicket>;
    /** A full provider still gets its prediction shown (it may be worth waiting for). */
    placed?: Partial<Candidate>;
  }>([
    { code: 'status_paused', bad: { status: 'paused' }, ticket: {} },
    { code: 'status_offline', bad: { status: 'offline' }, ticket: {} },
    { code: 'missing_skill', bad: { skills: { refunds: 5 } }, ticket: {} },
    { code: 'low_proficiency', bad: { skills: { billing: 2 } }, ticket: { minProficiency: 3 } },
    { code: 'language', bad: { languages: ['es', 'tl'] }, ticket: { language: 'en' } },
    { code: 'clearance', bad: { dataClearance: 'internal' }, ticket: { dataClassification: 'confidential' } },
    { code: 'region', bad: { dataRegions: ['EU'] }, ticket: { dataRegion: 'US' } },
    { code: 'rejected_before', bad: {}, ticket: { rejectedBy: ['bad'] } },
    {
      code: 'at_capacity',
      bad: { capacity: 10, openItems: 10 },
      ticket: {},
      // No queue known: all 10 open items are ahead. Mean (10 + 1) / 10 = 1.1 h, margin 2·√11 / 10 =
      // 0.6633 h (40 min); 12:00 + 1.7633 h = 13:45:47.969.
      placed: {
        predictedCompletionAt: '2026-03-02T13:45:47.969Z',
        workAhead: 10,
        marginMinutes: 40,
        displaces: 0,
      },
    },
  ])('$code', ({ code, bad, ticket: ticketOverrides, placed }) => {
    const decision = decide([provider('bad', bad), provider('good')], ticketOverrides);

    it('excludes the provider from the order', () => {
      expect(decision.order).toStrictEqual(['good']);
    });

    it(`lists it as ineligible with the reason ${code}`, () => {
      expect(candidateOf(decision, 'bad')).toStrictEqual({
        providerId: 'bad',
        eligible: false,
        ...placed,
        reasons: [code],
      });
    });
  });

  it.each<{ case: string; p: Partial<ProviderSnapshot>; t: Partial<RoutableTicket> }>([
    { case: 'the ticket asks for a language and the provider declares none', p: {}, t: { language: 'en' } },
    { case: 'the provider declares languages and the ticket asks for none', p: { languages: ['es'] }, t: {} },
    { case: 'the ticket names a region and the provider declares none', p: {}, t: { dataRegion: 'US' } },
    {
      case: 'the clearance equals the classification',
      p: { dataClearance: 'confidential' },
      t: { dataClassification: 'confidential' },
    },
    { case: 'the proficiency equals the minimum', p: { skills: { billing: 3 } }, t: { minProficiency: 3 } },
    { case: 'one unit of capacity is left', p: { capacity: 10, openItems: 9 }, t: {} },
  ])('lets a provider through when $case', ({ p, t }) => {
    expect(decide([provider('only', p)], t).order).toStrictEqual(['only']);
  });

  it('collects every failing reason of a provider, in a fixed order', () => {
    const decision = decide([
      provider('bad', { status: 'offline', skills: {}, dataClearance: 'public', openItems: 10 }),
      provider('good'),
    ]);
    expect(candidateOf(decision, 'bad')?.reasons).toStrictEqual([
      'status_offline',
      'missing_skill',
      'clearance',
      'at_capacity',
    ]);
  });

  it('does not mistake an inherited object key for a skill', () => {
    expect(candidateOf(decide([provider('p')], { skill: 'constructor' }), 'p')?.reasons).toStrictEqual([
      'missing_skill',
    ]);
  });
});

describe('feasibility', () => {
  it('routes a P1 due in 30 minutes to the open provider, not the cheaper one closed until tomorrow', () => {
    const decision = decide(
      [
        provider('closed-until-tomorrow', { costPerItem: 0.5, businessHours: { tue: [['00:00', '24:00']] } }),
        provider('open-now', { costPerItem: 2 }),
      ],
      { priority: 'P1', dueAt: iso(NOW + 30 * MINUTE) },
    );
    // Default margin (z = 2). One item at 10/h: mean 6 min, margin 2·√1·6 = 12 min, done 12:18 (slack 12 of
    // the 30 open minutes: 0.4). Score 0.3·0.4 + 0.3·1 + 0.15·1 + 0.15·0.5 + 0.1·1 = 0.745.
    // Closed until Tuesday 00:00: the same 18 open minutes end at 00:18, after due.
    expect(decision).toStrictEqual({
      outcome: 'route',
      order: ['open-now'],
      bestEffortLate: false,
      lost: false,
      explanation: {
        decidedAt: '2026-03-02T12:00:00.000Z',
        providerId: 'open-now',
        reason: 'best score',
        candidates: [
          {
            providerId: 'open-now',
            eligible: true,
            predictedCompletionAt: '2026-03-02T12:18:00.000Z',
            workAhead: 0,
            marginMinutes: 12,
            displaces: 0,
            score: 0.745,
            factors: { slack: 0.4, cost: 1, quality: 1, share: 0.5, load: 1 },
          },
          {
            providerId: 'closed-until-tomorrow',
            eligible: false,
            predictedCompletionAt: '2026-03-03T00:18:00.000Z',
            workAhead: 0,
            marginMinutes: 12,
            displaces: 0,
            reasons: ['cannot_meet_due'],
          },
        ],
      },
    } satisfies RoutingDecision);
  });

  it('counts every open item as ahead when the queue is unknown: (openItems + 1) / throughput without margin', () => {
    // 4 ahead + itself at 2/h = 2.5 h: 14:30.
    const decision = decide([provider('busy', { openItems: 4, throughputPerHour: 2 })], {}, NO_MARGIN);
    expect(candidateOf(decision, 'busy')).toMatchObject({
      predictedCompletionAt: '2026-03-02T14:30:00.000Z',
      workAhead: 4,
      marginMinutes: 0,
    });
  });

  it('counts only the work ahead in the work order, plus the margin', () => {
    // 4 open items, 3 of them queued P4s: 1 in service; the P3 goes ahead of the P4s (tier 1, by priority).
    const queue = ['q-1', 'q-2', 'q-3'].map((ticketId) => ({
      ticketId,
      priority: 'P4' as const,
      dueMs: NOW + 72 * HOUR,
      createdMs: NOW - HOUR,
    }));
    const busy = provider('busy', { openItems: 4, throughputPerHour: 2, queue });
    // Without margin: (1 + 1) / 2 = 1 h → 13:00.
    expect(candidateOf(decide([busy], {}, NO_MARGIN), 'busy')).toMatchObject({
      predictedCompletionAt: '2026-03-02T13:00:00.000Z',
      workAhead: 1,
      marginMinutes: 0,
    });
    // Default z = 2: margin 2·√2 / 2 = 1.41421 h (85 min);
    // 1 h + 1.41421 h = 2.41421 h = 8691.17 s → 14:24:51.168.
    expect(candidateOf(decide([busy]), 'busy')).toMatchObject({
      predictedCompletionAt: '2026-03-02T14:24:51.168Z',
      workAhead: 1,
      marginMinutes: 85,
    });
  });
});

describe('best effort when nobody can meet the due date', () => {
  const decision = decide(
    [
      provider('late-c', { throughputPerHour: 2 }),
      provider('late-b', { throughputPerHour: 1 }),
      provider('paused', { status: 'paused' }),
      provider('late-a', { throughputPerHour: 2 }),
      provider('never-open', { businessHours: {} }),
    ],
    { priority: 'P1', dueAt: iso(NOW + 20 * MINUTE) },
  );

  // Default margin. Mean: late-a and late-c 1 / 2 h = 12:30, late-b 1 h = 13:00, all after the 12:20 due, so
  // nobody can meet it even at the mean: lost. Shown with the margin (2·0.5 h, 2·1 h): 13:30, 13:30, 15:00.
  it('routes to the earliest mean finisher first, ties by the ticket-provider hash, flags it lost and explains why', () => {
    // The tie between late-a and late-c goes to the lower hash for this ticket (late-a here).
    expect(tieBreak('ticket-1', 'late-a')).toBeLessThan(tieBreak('ticket-1', 'late-c'));
    expect(decision).toStrictEqual({
      outcome: 'route',
      order: ['late-a', 'late-c', 'late-b'],
      bestEffortLate: true,
      lost: true,
      explanation: {
        decidedAt: '2026-03-02T12:00:00.000Z',
        providerId: 'late-a',
        reason: 'best_effort_late',
        candidates: [
          {
            providerId: 'late-a',
            eligible: true,
            predictedCompletionAt: '2026-03-02T13:30:00.000Z',
            workAhead: 0,
            marginMinutes: 60,
            displaces: 0,
            reasons: ['cannot_meet_due'],
          },
          {
            providerId: 'late-c',
            eligible: true,
            predictedCompletionAt: '2026-03-02T13:30:00.000Z',
            workAhead: 0,
            marginMinutes: 60,
            displaces: 0,
            reasons: ['cannot_meet_due'],
          },
          {
            providerId: 'late-b',
            eligible: true,
            predictedCompletionAt: '2026-03-02T15:00:00.000Z',
            workAhead: 0,
            marginMinutes: 120,
            displaces: 0,
            reasons: ['cannot_meet_due'],
          },
          // Never opens: no completion to show, but the work ahead and margin are known.
          {
            providerId: 'never-open',
            eligible: false,
            workAhead: 0,
            marginMinutes: 12,
            displaces: 0,
            reasons: ['cannot_meet_due'],
          },
          { providerId: 'paused', eligible: false, reasons: ['status_paused'] },
        ],
      },
    } satisfies RoutingDecision);
  });
});

describe('parking', () => {
  it.each([
    {
      case: 'no provider passes the hard filters',
      providers: [
        provider('paused', { status: 'paused' }),
        provider('unskilled', { skills: { refunds: 5 } }),
      ],
      // Nobody passes the filters at all: nothing to judge "lost" on.
      lost: false,
      candidates: [
        { providerId: 'paused', eligible: false, reasons: ['status_paused'] },
        { providerId: 'unskilled', eligible: false, reasons: ['missing_skill'] },
      ],
    },
    {
      case: 'the only provider that passes never opens within the horizon',
      providers: [provider('never-open', { businessHours: { mon: [], tue: [] } })],
      // It passes the filters and cannot finish at all, even at the mean: lost.
      lost: true,
      candidates: [
        {
          providerId: 'never-open',
          eligible: false,
          workAhead: 0,
          marginMinutes: 12,
          displaces: 0,
          reasons: ['cannot_meet_due'],
        },
      ],
    },
    { case: 'there are no providers', providers: [], lost: false, candidates: [] },
  ])('parks when $case', ({ providers, lost, candidates }) => {
    expect(decide(providers)).toStrictEqual({
      outcome: 'park',
      order: [],
      bestEffortLate: false,
      lost,
      explanation: {
        decidedAt: '2026-03-02T12:00:00.000Z',
        providerId: null,
        reason: 'no eligible provider',
        candidates,
      },
    });
  });

  it('waits for a slot when the only provider that passes is full but would be on time', () => {
    // Full: 10 ahead, 1.1 h + 2·√11 / 10 h = 13:45:47.969, well before the 24 h due.
    expect(
      decide([provider('paused', { status: 'paused' }), provider('full', { openItems: 10 })]),
    ).toStrictEqual({
      outcome: 'park',
      order: [],
      bestEffortLate: false,
      lost: false,
      explanation: {
        decidedAt: '2026-03-02T12:00:00.000Z',
        providerId: null,
        reason: 'waiting for a slot',
        candidates: [
          {
            providerId: 'full',
            eligible: false,
            predictedCompletionAt: '2026-03-02T13:45:47.969Z',
            workAhead: 10,
            marginMinutes: 40,
            displaces: 0,
            reasons: ['at_capacity'],
          },
          { providerId: 'paused', eligible: false, reasons: ['status_paused'] },
        ],
      },
    } satisfies RoutingDecision);
  });
});

describe('scoring', () => {
  // Cost counts relative to the highest price: fast is 0.067 dearer than cheap-slow, premium 0.667.
  const providers = [
    provider('cheap-slow', { costPerItem: 1, throughputPerHour: 4, openItems: 3 }),
    provider('fast', { costPerItem: 1.2, throughputPerHour: 40, openItems: 3 }),
    provider('premium', { costPerItem: 3, throughputPerHour: 40, openItems: 3 }),
  ];

  it.each([
    {
      case: 'the cheaper one wins when time is ample (due in 72 h)',
      dueIn: 72 * HOUR,
      order: ['cheap-slow', 'fast', 'premium'],
    },
    {
      // No margin: cheap-slow finishes 4 / 4 h = 13:00, on time but with little slack.
      case: 'the faster ones win when due soon (in 75 min), even the premium one (no margin)',
      dueIn: 75 * MINUTE,
      policy: NO_MARGIN,
      order: ['fast', 'premium', 'cheap-slow'],
    },
    {
      // Default margin: cheap-slow needs 1 h + 2·√4 / 4 h = 2 h (14:00), past the 13:15 due; fast and
      // premium 0.1 h + 0.1 h = 12:12.
      case: 'the slow one drops out when due soon (in 75 min) once the margin counts',
      dueIn: 75 * MINUTE,
      order: ['fast', 'premium'],
    },
  ])('$case', ({ dueIn, order, policy }) => {
    expect(decide(providers, { dueAt: iso(NOW + dueIn) }, policy).order).toStrictEqual(order);
  });

  it('explains a score with its factors, rounded to 3 decimals', () => {
    // Mean (3 + 1) / 4 = 1 h, margin 2·√4 / 4 = 1 h: 14:00. Slack (72 − 2) / 72 = 0.9722.
    // Score 0.3·0.9722 + 0.3·1 + 0.15·1 + 0.15·0.5 + 0.1·0.7 = 0.8867.
    expect(candidateOf(decide(providers, { dueAt: iso(NOW + 72 * HOUR) }), 'cheap-slow')).toStrictEqual({
      providerId: 'cheap-slow',
      eligible: true,
      predictedCompletionAt: '2026-03-02T14:00:00.000Z',
      workAhead: 3,
      marginMinutes: 60,
      displaces: 0,
      score: 0.887,
      factors: { slack: 0.972, cost: 1, quality: 1, share: 0.5, load: 0.7 },
    });
  });

  it.each<{ factor: string; better: Partial<ProviderSnapshot>; worse: Partial<ProviderSnapshot> }>([
    { factor: 'quality', better: { qualityScore: 0.95 }, worse: { qualityScore: 0.8 } },
    { factor: 'load', better: { openItems: 0 }, worse: { openItems: 5 } },
    { factor: 'cost', better: { costPerItem: 2 }, worse: { costPerItem: 2.01 } },
  ])('prefers the better $factor between otherwise equal providers', ({ better, worse }) => {
    // The worse one sorts first by id, so only the factor can put the better one ahead.
    expect(decide([provider('z-better', better), provider('a-worse', worse)]).order).toStrictEqual([
      'z-better',
      'a-worse',
    ]);
  });

  it('breaks ties on a hash of ticket and provider, whatever the input order', () => {
    const identical = ['charlie', 'alpha', 'bravo'].map((id) => provider(id));
    const decision = decide(identical);
    const byHash = ['alpha', 'bravo', 'charlie'].sort(
      (a, b) => tieBreak('ticket-1', a) - tieBreak('ticket-1', b),
    );
    expect(decision.order).toStrictEqual(byHash);
    expect(decide([...identical].reverse())).toStrictEqual(decision);
  });

  it('does not give every tie to the alphabetically first id across many tickets', () => {
    const identical = ['charlie', 'alpha', 'bravo'].map((id) => provider(id));
    const wins: Record<string, number> = { alpha: 0, bravo: 0, charlie: 0 };
    for (let i = 0; i < 300; i++) {
      const first = decide(identical, { ticketId: `ticket-${i}` }).order[0]!;
      wins[first]! += 1;
      // Deterministic per ticket.
      expect(decide([...identical].reverse(), { ticketId: `ticket-${i}` }).order[0]).toBe(first);
    }
    // Each wins some of the ties (a fair hash gives ~100 each).
    for (const count of Object.values(wins)) expect(count).toBeGreaterThan(50);
  });
});

describe('allocation shares', () => {
  /** Routes 50 tickets in a row, growing the chosen provider's counters after each decision. */
  function split(dueIn: number, policy: RoutingPolicy): Record<string, number> {
    const providers = ['seventy', 'thirty'].map((id) =>
      provider(id, { capacity: 100, throughputPerHour: 20, allocationShare: id === 'seventy' ? 0.7 : 0.3 }),
    );
    const calendars = new CalendarCache();
    const counts: Record<string, number> = { seventy: 0, thirty: 0 };
    for (let i = 0; i < 50; i++) {
      const chosenId = decideRoute({
        ticket: ticket({ ticketId: `ticket-${i}`, dueAt: iso(NOW + dueIn) }),
        providers,
        policy,
        nowMs: NOW,
        calendars,
      }).order[0]!;
      counts[chosenId]! += 1;
      const chosen = providers.find((p) => p.providerId === chosenId)!;
      chosen.routedLast24h += 1;
      chosen.openItems += 1;
    }
    return counts;
  }

  it.each([
    { case: 'due in 2 h', dueIn: 2 * HOUR },
    { case: 'due in 4 h', dueIn: 4 * HOUR },
    { case: 'due in 24 h', dueIn: 24 * HOUR },
    { case: 'due in 72 h', dueIn: 72 * HOUR },
  ])(
    'split 50 tickets within ±8 of 35/15 for targets 0.7/0.3 under the default weights ($case)',
    ({ dueIn }) => {
      const counts = split(dueIn, DEFAULT_ROUTING_POLICY);
      expect(Math.abs(counts.seventy! - 35)).toBeLessThanOrEqual(8);
    },
  );

  it('holds the split even when the share weight is zero: the deficit controller, not the score, decides', () => {
    // The share weight only scales the explanatory factor. Deficit = target·(routed + 1) − own routed;
    // the larger one wins each ticket, so 50 tickets split exactly 0.7·50 = 35 / 0.3·50 = 15.
    const noShare = { ...DEFAULT_ROUTING_POLICY, weights: { ...DEFAULT_ROUTING_POLICY.weights, share: 0 } };
    expect(split(24 * HOUR, noShare)).toStrictEqual({ seventy: 35, thirty: 15 });
  });

  it.each<{
    case: string;
    measured: Partial<ProviderSnapshot>;
    other: Partial<ProviderSnapshot>;
    share: number;
  }>([
    {
      case: 'it declares no share',
      measured: {},
      other: { allocationShare: 0.7, routedLast24h: 10 },
      share: 0.5,
    },
    {
      case: 'nothing was routed in the last 24 h',
      measured: { allocationShare: 0.3 },
      other: { allocationShare: 0.7 },
      share: 0.5,
    },
    {
      case: 'it is on its target',
      measured: { allocationShare: 0.3, routedLast24h: 3 },
      other: { allocationShare: 0.7, routedLast24h: 7 },
      share: 0.5,
    },
    {
      case: 'it is on its target once targets are normalised (0.15 of 0.5)',
      measured: { allocationShare: 0.15, routedLast24h: 3 },
      other: { allocationShare: 0.35, routedLast24h: 7 },
      share: 0.5,
    },
    {
      case: 'it is far below its target',
      measured: { allocationShare: 0.3, routedLast24h: 0 },
      other: { allocationShare: 0.7, routedLast24h: 10 },
      share: 1,
    },
    {
      case: 'it is 5 points above its target',
      measured: { allocationShare: 0.3, routedLast24h: 35 },
      other: { allocationShare: 0.7, routedLast24h: 65 },
      share: 0.3,
    },
  ])('gives a provider a share factor of $share when $case', ({ measured, other, share }) => {
    const decision = decide([
      provider('measured', measured),
      provider('other', other),
      provider('undeclared'),
    ]);
    expect(candidateOf(decision, 'measured')?.factors?.share).toBe(share);
  });
});

describe('effectiveMinProficiency', () => {
  const parkedAt = NOW;
  it.each([
    { case: 'never parked', requested: 4, parkedAtMs: undefined, waited: 3600, expected: 4 },
    { case: 'just parked', requested: 4, parkedAtMs: parkedAt, waited: 0, expected: 4 },
    {
      case: 'parked one second short of an interval',
      requested: 4,
      parkedAtMs: parkedAt,
      waited: 899,
      expected: 4,
    },
    { case: 'parked one interval', requested: 4, parkedAtMs: parkedAt, waited: 900, expected: 3 },
    {
      case: 'parked just under two intervals',
      requested: 4,
      parkedAtMs: parkedAt,
      waited: 1799,
      expected: 3,
    },
    { case: 'parked three intervals', requested: 4, parkedAtMs: parkedAt, waited: 2700, expected: 1 },
    { case: 'parked ten intervals', requested: 4, parkedAtMs: parkedAt, waited: 9000, expected: 1 },
    { case: 'already at 1', requested: 1, parkedAtMs: parkedAt, waited: 9000, expected: 1 },
    {
      case: 'parked in the future (clock skew)',
      requested: 4,
      parkedAtMs: parkedAt,
      waited: -900,
      expected: 4,
    },
  ])(
    'asks for $expected when requested $requested and $case',
    ({ requested, parkedAtMs, waited, expected }) => {
      expect(effectiveMinProficiency(requested, parkedAtMs, parkedAt + waited * 1000, 900)).toBe(expected);
    },
  );
});
