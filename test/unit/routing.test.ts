import { describe, expect, it } from 'vitest';
import { CalendarCache } from '../../shared/domain/calendar.js';
import { decideRoute, effectiveMinProficiency, type RoutingDecision } from '../../shared/domain/routing.js';
import { DEFAULT_ROUTING_POLICY, type RoutingPolicy } from '../../shared/domain/schemas.js';
import type { ProviderSnapshot, RoutableTicket } from '../../shared/domain/types.js';

// Monday noon UTC.
const NOW = Date.parse('2026-03-02T12:00:00.000Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const iso = (ms: number) => new Date(ms).toISOString();

function provider(providerId: string, overrides: Partial<ProviderSnapshot> = {}): ProviderSnapshot {
  return {
    providerId,
    status: 'active',
    timeZone: 'UTC',
    skills: { billing: 3 },
    capacity: 10,
    throughputPerHour: 10,
    costPerItem: 1,
    qualityScore: 1,
    dataClearance: 'restricted',
    openItems: 0,
    version: 1,
    updatedAt: '2026-03-01T00:00:00.000Z',
    routedLast24h: 0,
    ...overrides,
  };
}

function ticket(overrides: Partial<RoutableTicket> = {}): RoutableTicket {
  return {
    ticketId: 'ticket-1',
    skill: 'billing',
    priority: 'P3',
    minProficiency: 1,
    dataClassification: 'internal',
    createdAt: iso(NOW),
    dueAt: iso(NOW + 24 * HOUR),
    ...overrides,
  };
}

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

const candidateOf = (decision: RoutingDecision, providerId: string) =>
  decision.explanation.candidates.find((candidate) => candidate.providerId === providerId);

describe('hard filters', () => {
  describe.each<{ code: string; bad: Partial<ProviderSnapshot>; ticket: Partial<RoutableTicket> }>([
    { code: 'status_paused', bad: { status: 'paused' }, ticket: {} },
    { code: 'status_offline', bad: { status: 'offline' }, ticket: {} },
    { code: 'missing_skill', bad: { skills: { refunds: 5 } }, ticket: {} },
    { code: 'low_proficiency', bad: { skills: { billing: 2 } }, ticket: { minProficiency: 3 } },
    { code: 'language', bad: { languages: ['es', 'tl'] }, ticket: { language: 'en' } },
    { code: 'clearance', bad: { dataClearance: 'internal' }, ticket: { dataClassification: 'confidential' } },
    { code: 'region', bad: { dataRegions: ['EU'] }, ticket: { dataRegion: 'US' } },
    { code: 'rejected_before', bad: {}, ticket: { rejectedBy: ['bad'] } },
    { code: 'at_capacity', bad: { capacity: 10, openItems: 10 }, ticket: {} },
  ])('$code', ({ code, bad, ticket: ticketOverrides }) => {
    const decision = decide([provider('bad', bad), provider('good')], ticketOverrides);

    it('excludes the provider from the order', () => {
      expect(decision.order).toStrictEqual(['good']);
    });

    it(`lists it as ineligible with the reason ${code}`, () => {
      expect(candidateOf(decision, 'bad')).toStrictEqual({
        providerId: 'bad',
        eligible: false,
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
    expect(decision).toStrictEqual({
      outcome: 'route',
      order: ['open-now'],
      bestEffortLate: false,
      explanation: {
        decidedAt: '2026-03-02T12:00:00.000Z',
        providerId: 'open-now',
        reason: 'best score',
        candidates: [
          {
            providerId: 'open-now',
            eligible: true,
            predictedCompletionAt: '2026-03-02T12:06:00.000Z',
            score: 0.865,
            factors: { slack: 0.8, cost: 1, quality: 1, share: 0.5, load: 1 },
          },
          {
            providerId: 'closed-until-tomorrow',
            eligible: false,
            predictedCompletionAt: '2026-03-03T00:06:00.000Z',
            reasons: ['cannot_meet_due'],
          },
        ],
      },
    } satisfies RoutingDecision);
  });

  it('predicts completion from the backlog: (openItems + 1) / throughput open hours', () => {
    const decision = decide([provider('busy', { openItems: 4, throughputPerHour: 2 })]);
    expect(candidateOf(decision, 'busy')?.predictedCompletionAt).toBe('2026-03-02T14:30:00.000Z');
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

  it('routes to the earliest finisher first, ties by provider id, and explains why', () => {
    expect(decision).toStrictEqual({
      outcome: 'route',
      order: ['late-a', 'late-c', 'late-b'],
      bestEffortLate: true,
      explanation: {
        decidedAt: '2026-03-02T12:00:00.000Z',
        providerId: 'late-a',
        reason: 'best_effort_late',
        candidates: [
          {
            providerId: 'late-a',
            eligible: true,
            predictedCompletionAt: '2026-03-02T12:30:00.000Z',
            reasons: ['cannot_meet_due'],
          },
          {
            providerId: 'late-c',
            eligible: true,
            predictedCompletionAt: '2026-03-02T12:30:00.000Z',
            reasons: ['cannot_meet_due'],
          },
          {
            providerId: 'late-b',
            eligible: true,
            predictedCompletionAt: '2026-03-02T13:00:00.000Z',
            reasons: ['cannot_meet_due'],
          },
          { providerId: 'never-open', eligible: false, reasons: ['cannot_meet_due'] },
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
      providers: [provider('paused', { status: 'paused' }), provider('full', { openItems: 10 })],
      candidates: [
        { providerId: 'full', eligible: false, reasons: ['at_capacity'] },
        { providerId: 'paused', eligible: false, reasons: ['status_paused'] },
      ],
    },
    {
      case: 'the only provider that passes never opens within the horizon',
      providers: [provider('never-open', { businessHours: { mon: [], tue: [] } })],
      candidates: [{ providerId: 'never-open', eligible: false, reasons: ['cannot_meet_due'] }],
    },
    { case: 'there are no providers', providers: [], candidates: [] },
  ])('parks when $case', ({ providers, candidates }) => {
    expect(decide(providers)).toStrictEqual({
      outcome: 'park',
      order: [],
      bestEffortLate: false,
      explanation: {
        decidedAt: '2026-03-02T12:00:00.000Z',
        providerId: null,
        reason: 'no eligible provider',
        candidates,
      },
    });
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
      case: 'the faster ones win when due soon (in 75 min), even the premium one',
      dueIn: 75 * MINUTE,
      order: ['fast', 'premium', 'cheap-slow'],
    },
  ])('$case', ({ dueIn, order }) => {
    expect(decide(providers, { dueAt: iso(NOW + dueIn) }).order).toStrictEqual(order);
  });

  it('explains a score with its factors, rounded to 3 decimals', () => {
    expect(candidateOf(decide(providers, { dueAt: iso(NOW + 72 * HOUR) }), 'cheap-slow')).toStrictEqual({
      providerId: 'cheap-slow',
      eligible: true,
      predictedCompletionAt: '2026-03-02T13:00:00.000Z',
      score: 0.891,
      factors: { slack: 0.986, cost: 1, quality: 1, share: 0.5, load: 0.7 },
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

  it('breaks ties on provider id, whatever the input order', () => {
    const identical = ['charlie', 'alpha', 'bravo'].map((id) => provider(id));
    const decision = decide(identical);
    expect(decision.order).toStrictEqual(['alpha', 'bravo', 'charlie']);
    expect(decide([...identical].reverse())).toStrictEqual(decision);
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

  it('split evenly when the share weight is zero (the test above measures the share factor)', () => {
    const noShare = { ...DEFAULT_ROUTING_POLICY, weights: { ...DEFAULT_ROUTING_POLICY.weights, share: 0 } };
    expect(split(24 * HOUR, noShare)).toStrictEqual({ seventy: 25, thirty: 25 });
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
