// Property (issue 10): a closed period's statement, built from the counters the stream adds change by
// change (in any order, replays dropped by the marker), equals the statement recomputed from the period's
// tickets directly: which completed or breached in it, their prices, handle times, ratings and reopenings.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ContractInput,
  contractInForce,
  contractInputSchema,
  type ContractVersion,
  monthOf,
  periodBounds,
  priceMinor,
} from '../../shared/domain/contracts.js';
import { toRated, toReopened } from '../../shared/domain/feedback.js';
import {
  byPriority,
  bySkill,
  byPriorityAndSkill,
  byTarget,
  handleBucket,
  handleCounter,
  type KpiCounters,
  kpiIncrements,
  sumCounters,
} from '../../shared/domain/kpi-counts.js';
import { toBreached, toCompleted, toLeased, toQueued, toRerouting } from '../../shared/domain/lifecycle.js';
import { MICRO } from '../../shared/domain/money.js';
import { scorecard } from '../../shared/domain/scorecard.js';
import type { Priority, Ticket } from '../../shared/domain/types.js';
import { receivedTicket } from '../fixtures/tickets.js';

const ZONE = 'America/New_York';
const PERIOD = '2026-11';
const { startMs, endMs } = periodBounds(PERIOD, ZONE);
const MINUTE = 60_000;

const base = (overrides: Partial<ContractInput>): ContractVersion => ({
  ...contractInputSchema.parse({
    effectiveFrom: '2026-10-01',
    timeZone: ZONE,
    currency: 'USD',
    period: 'month',
    rates: [
      { skill: 'claims', kind: 'back_office', perItem: '4.20' },
      { skill: 'billing', perItem: '2.50' },
      { perItem: '3.00' },
    ],
    minimumVolume: { items: 30, shortfallPerItem: '1.25' },
    kpis: [
      { id: 'sla', metric: 'sla_attainment', target: 0.9, credit: { percentOfFees: 3, perPointBelow: 0.5 } },
      {
        id: 'sla-p1-billing',
        metric: 'sla_attainment',
        priority: 'P1',
        skill: 'billing',
        target: 0.95,
        credit: { percentOfFees: 1 },
      },
      {
        id: 'quality',
        metric: 'quality_score',
        target: 0.85,
        credit: { percentOfFees: 2, perPointBelow: 0.25 },
      },
      { id: 'csat', metric: 'csat', target: 4.2, credit: { percentOfFees: 1, perPointBelow: 0.1 } },
      { id: 'reopens', metric: 'reopen_rate', max: 0.05, credit: { percentOfFees: 2 } },
      { id: 'rejections', metric: 'rejection_rate', max: 0.1, credit: { percentOfFees: 1 } },
      {
        id: 'aht',
        metric: 'median_handle_minutes',
        max: 45,
        credit: { percentOfFees: 1, perPointBelow: 0.05 },
      },
    ],
    breachPenalties: { P1: '25.00', P2: '5.00' },
    creditCapPercent: 12.5,
    ...overrides,
  }),
  providerId: 'acme',
  version: 1,
  createdAt: '2026-09-01T00:00:00.000Z',
  createdBy: { keyId: null, role: 'admin' },
});
// The contract changes mid-period: other prices from 16 November.
const VERSIONS = [
  base({}),
  {
    ...base({
      effectiveFrom: '2026-11-16',
      rates: [{ skill: 'billing', perItem: '2.75' }, { perItem: '3.10' }],
    }),
    version: 2,
  },
];
const contractAt = (_providerId: string, atMs: number) => contractInForce(VERSIONS, atMs);
const KEYS = {
  kpi: (providerId: string, month: string) => ({ pk: `KPI#${providerId}`, sk: month }),
  quality: (providerId: string, day: string) => ({ pk: `Q#${providerId}`, sk: day }),
};

/** What one ticket does, drawn by fast-check. */
interface Life {
  priority: Priority;
  skill: 'claims' | 'billing' | 'payroll';
  kind: 'front_office' | 'back_office';
  /** Minutes after 2026-10-29 (so some complete before the period, some after it). */
  routedAt: number;
  rejectedFirst: boolean;
  handleMinutes: number;
  /** Due before completion: breached at due by the sweeper, or only at a late completion. */
  late: 'no' | 'swept' | 'at_completion';
  qa?: number;
  csat?: number;
  rerated?: number;
  reopen: boolean;
}

const lifeArb: fc.Arbitrary<Life> = fc.record({
  priority: fc.constantFrom<Priority>('P1', 'P2', 'P3'),
  skill: fc.constantFrom('claims', 'billing', 'payroll'),
  kind: fc.constantFrom('front_office', 'back_office'),
  routedAt: fc.integer({ min: 0, max: 36 * 24 * 60 }),
  rejectedFirst: fc.boolean(),
  handleMinutes: fc.integer({ min: 1, max: 600 }),
  late: fc.constantFrom('no', 'swept', 'at_completion'),
  qa: fc.option(
    fc.integer({ min: 0, max: 100 }).map((x) => x / 100),
    { nil: undefined },
  ),
  csat: fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
  rerated: fc.option(
    fc.integer({ min: 0, max: 100 }).map((x) => x / 100),
    { nil: undefined },
  ),
  reopen: fc.boolean(),
});

const ORIGIN = Date.parse('2026-10-29T00:00:00.000Z');

/** The ticket's changes (before, after), through the real transitions. */
function changesOf(life: Life, index: number): [Ticket | undefined, Ticket][] {
  const changes: [Ticket | undefined, Ticket][] = [];
  let t = ORIGIN + life.routedAt * MINUTE;
  let ticket = receivedTicket({
    ticketId: `t${index}`,
    priority: life.priority,
    skill: life.skill,
    kind: life.kind,
    createdAt: new Date(t).toISOString(),
  });
  const step = (next: Ticket) => {
    changes.push([ticket, next]);
    ticket = next;
  };
  const route = { decidedAt: '', providerId: 'acme', reason: 'best score', candidates: [] };
  step(toQueued(ticket, { providerId: 'acme' }, route, false, t));
  if (life.rejectedFirst) {
    step(toLeased(ticket, 'h', new Date(t + 3_600_000).toISOString(), (t += MINUTE)));
    step(toRerouting(ticket, 'rejected', (t += MINUTE), 'not ours'));
    step(toQueued(ticket, { providerId: 'acme' }, route, false, (t += MINUTE)));
  }
  const completeAt = t + MINUTE + life.handleMinutes * MINUTE;
  const dueAt = life.late === 'no' ? completeAt + 3_600_000 : completeAt - MINUTE;
  ticket = { ...ticket, dueAt: new Date(dueAt).toISOString() };
  step(toLeased(ticket, 'h', new Date(completeAt + 3_600_000).toISOString(), t + MINUTE));
  if (life.late === 'swept') step(toBreached(ticket, dueAt));
  step(toCompleted(ticket, 'done', completeAt));
  t = completeAt;
  if (life.qa !== undefined || life.csat !== undefined)
    step(toRated(ticket, { qaScore: life.qa, csat: life.csat }, (t += MINUTE)));
  if (life.rerated !== undefined) step(toRated(ticket, { qaScore: life.rerated }, (t += MINUTE)));
  if (life.reopen) {
    step(
      toReopened(ticket, { reason: 'not fixed', reworkSeconds: 86_400, providerId: 'acme' }, (t += MINUTE)),
    );
    step(toLeased(ticket, 'h', new Date(t + 3_600_000).toISOString(), (t += MINUTE)));
    step(toCompleted(ticket, 'redone', t + 10 * MINUTE));
  }
  return changes;
}

/** The counters of the period recomputed from what each ticket did, without the change-by-change rules. */
function recount(lives: readonly Life[]): KpiCounters {
  const c: KpiCounters = Object.create(null);
  const add = (name: string, value = 1) => (c[name] = (c[name] ?? 0) + value);
  const inPeriod = (ms: number) => ms >= startMs && ms < endMs;
  lives.forEach((life, index) => {
    const changes = changesOf(life, index);
    const final = changes.at(-1)![1];
    const entries = final.history;
    for (const entry of entries) {
      const at = Date.parse(entry.at);
      if (!inPeriod(at)) continue;
      if (entry.event === 'queued') add('routed');
      if (entry.event === 'leased') add('leased');
      if (entry.event === 'rejected') add('rejected');
    }
    const completions = entries.filter((entry) => entry.event === 'completed');
    const leases = entries.filter((entry) => entry.event === 'leased');
    const first = completions[0]!;
    const firstAt = Date.parse(first.at);
    const breached = life.late !== 'no';
    const breachAt =
      life.late === 'swept' ? Date.parse(entries.find((e) => e.event === 'sla_breached')!.at) : firstAt;
    completions.forEach((completion, i) => {
      const at = Date.parse(completion.at);
      if (!inPeriod(at)) return;
      const leasedAt = Date.parse(leases[leases.length - completions.length + i]!.at);
      add('handleCount');
      add(handleCounter(handleBucket((at - leasedAt) / MINUTE)));
      if (i > 0) return add('reworkCompleted');
      add('completed');
      add(byPriority('completed', life.priority));
      add('feesMinor', priceMinor(contractAt('acme', at)!, life));
      if (!breached)
        for (const name of [
          'met',
          byPriority('met', life.priority),
          bySkill('met', life.skill),
          byPriorityAndSkill('met', life.priority, life.skill),
          byTarget('met', 'resolution'),
          byTarget('met', 'resolution', 'default'),
        ])
          add(name);
    });
    if (breached && inPeriod(breachAt)) {
      for (const name of [
        'breached',
        byPriority('breached', life.priority),
        bySkill('breached', life.skill),
        byPriorityAndSkill('breached', life.priority, life.skill),
        byTarget('breached', 'resolution'),
        byTarget('breached', 'resolution', 'default'),
      ])
        add(name);
      const penalty = contractAt('acme', breachAt)!.breachPenalties[life.priority];
      add('penaltyMinor', penalty ? Math.round(Number(penalty) * 100) : 0);
    }
    if (inPeriod(firstAt)) {
      if (life.reopen) add('reopened');
      const qa = life.rerated ?? life.qa;
      if (qa !== undefined) {
        add('qaSum', Math.round(qa * MICRO));
        add('qaCount');
      }
      if (life.csat !== undefined) {
        add('csatSum', life.csat);
        add('csatCount');
      }
    }
  });
  return c;
}

const nonZero = (counters: KpiCounters) =>
  Object.fromEntries(
    Object.entries(counters)
      .filter(([, value]) => value !== 0)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );

describe('a closed period recomputed from its tickets', () => {
  it('gives the stored statement, whatever the order and replays of the stream', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.array(lifeArb, { minLength: 1, maxLength: 40 }), fc.integer(), (lives, seed) => {
        const increments = lives.flatMap((life, index) =>
          changesOf(life, index).flatMap(([before, after]) => kpiIncrements(before, after, contractAt, KEYS)),
        );
        // the stream delivers tickets interleaved: counters add up in any order
        const shuffled = increments
          .map((increment, i) => [((i + 1) * 2_654_435_761 + seed) % 1_000_003, increment] as const)
          .sort((a, b) => a[0] - b[0])
          .map(([, increment]) => increment);
        const months = new Map<string, KpiCounters[]>();
        for (const increment of shuffled) {
          if (!increment.key.pk.startsWith('KPI#')) continue;
          months.set(increment.key.sk, [...(months.get(increment.key.sk) ?? []), increment.add]);
        }
        const streamed = sumCounters(months.get(PERIOD) ?? []);
        const recomputed = recount(lives);
        expect(nonZero(streamed)).toStrictEqual(nonZero(recomputed));
        // every instant counted in November falls in the local month
        for (const month of months.keys()) expect(['2026-10', '2026-11', '2026-12']).toContain(month);
        const settled = contractInForce(VERSIONS, endMs - 1)!;
        const stored = scorecard({
          providerId: 'acme',
          period: PERIOD,
          contract: settled,
          counters: streamed,
          final: true,
        });
        const fresh = scorecard({
          providerId: 'acme',
          period: PERIOD,
          contract: settled,
          counters: recomputed,
          final: true,
        });
        expect(fresh).toStrictEqual(stored);
        for (const [name, value] of Object.entries(streamed))
          if (value) seen.add(name.split('@')[0]!.split('#')[0]!);
      }),
      { numRuns: 60 },
    );
    // the runs did exercise every counter
    expect([...seen].sort()).toStrictEqual(
      [
        'breached',
        'completed',
        'csatCount',
        'csatSum',
        'feesMinor',
        'handle',
        'handleCount',
        'leased',
        'met',
        'penaltyMinor',
        'qaCount',
        'qaSum',
        'rejected',
        'reopened',
        'reworkCompleted',
        'routed',
      ].sort(),
    );
  }, 60_000);

  it('counts November in New York local time across the DST change', () => {
    expect(monthOf(Date.parse('2026-11-01T03:30:00.000Z'), ZONE)).toBe('2026-10');
    expect(monthOf(Date.parse('2026-12-01T04:30:00.000Z'), ZONE)).toBe('2026-11');
  });
});
