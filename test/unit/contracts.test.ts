// Issue 10: money rules, rate cards, periods across DST, contract versions, KPI counting and scorecards.
import { describe, expect, it } from 'vitest';
import {
  type ContractInput,
  contractChangeProblem,
  contractInForce,
  contractInputSchema,
  type ContractVersion,
  monthsOfPeriod,
  periodBounds,
  periodOf,
  priceMinor,
  routingCost,
  contractPricing,
  type ContractPricing,
  shiftPeriod,
} from '../../shared/domain/contracts.js';
import { CalendarCache } from '../../shared/domain/calendar.js';
import { measuredQuality } from '../../shared/domain/feedback.js';
import { toCompleted, toLeased, toQueued } from '../../shared/domain/lifecycle.js';
import { decideRoute } from '../../shared/domain/routing.js';
import { DEFAULT_ROUTING_POLICY } from '../../shared/domain/schemas.js';
import type { ProviderSnapshot } from '../../shared/domain/types.js';
import { runSimulation } from '../../shared/simulation/engine.js';
import { kpiIncrements, sumCounters, handleBucket } from '../../shared/domain/kpi-counts.js';
import { divideRounded, formatMinor, minorDigits, percentOf, toMinor } from '../../shared/domain/money.js';
import {
  evaluateKpi,
  medianHandleMinutes,
  scorecard,
  scorecardsCsv,
  settle,
} from '../../shared/domain/scorecard.js';
import { NOW, providerSnapshot, routableTicket } from '../fixtures/routing-entities.js';
import { receivedTicket } from '../fixtures/tickets.js';

const utc = (iso: string) => Date.parse(iso);

export const contract = (overrides: Partial<ContractInput> = {}): ContractInput =>
  contractInputSchema.parse({
    effectiveFrom: '2026-11-01',
    timeZone: 'America/New_York',
    currency: 'USD',
    period: 'month',
    rates: [
      { skill: 'claims', kind: 'back_office', perItem: '4.20' },
      { skill: 'billing', perItem: '2.50' },
      { perItem: '3.00' },
    ],
    minimumVolume: { items: 1000, shortfallPerItem: '1.50' },
    kpis: [
      {
        id: 'sla-p1',
        metric: 'sla_attainment',
        priority: 'P1',
        target: 0.95,
        credit: { percentOfFees: 5, perPointBelow: 1 },
      },
      { id: 'sla', metric: 'sla_attainment', target: 0.9, credit: { percentOfFees: 3 } },
      { id: 'quality', metric: 'quality_score', target: 0.85, credit: { percentOfFees: 2 } },
      { id: 'reopens', metric: 'reopen_rate', max: 0.05, credit: { percentOfFees: 2 } },
    ],
    breachPenalties: { P1: '50.00', P2: '10.00' },
    creditCapPercent: 15,
    ...overrides,
  });

const version = (input: ContractInput, number: number): ContractVersion => ({
  ...input,
  providerId: 'acme',
  version: number,
  createdAt: '2026-10-01T00:00:00.000Z',
  createdBy: { keyId: null, role: 'admin' },
});

describe('money in minor units', () => {
  it.each([
    ['2.5', 2, 250],
    ['4.20', 2, 420],
    ['0.01', 2, 1],
    ['300', 0, 300],
    ['1.005', 3, 1005],
  ])('%s with %i decimals is %i minor units', (amount, digits, minor) => {
    expect(toMinor(amount, digits)).toBe(minor);
  });

  it('formats minor units back, negative amounts with their sign', () => {
    expect([formatMinor(250, 2), formatMinor(-105, 2), formatMinor(7, 3), formatMinor(300, 0)]).toStrictEqual(
      ['2.50', '-1.05', '0.007', '300'],
    );
  });

  it('knows the minor units of a currency', () => {
    expect([minorDigits('USD'), minorDigits('JPY'), minorDigits('KWD')]).toStrictEqual([2, 0, 3]);
  });

  it('rounds half away from zero, once, in integers', () => {
    expect(divideRounded(5n, 2n)).toBe(3n);
    expect(divideRounded(-5n, 2n)).toBe(-3n);
    expect(divideRounded(4n, 3n)).toBe(1n);
    // 2.5 % of 123.45 = 3.08625 → 3.09
    expect(percentOf(12_345, 2.5)).toBe(309);
    // 0.1 % of 0.10 + 0.2 % of 0.10 never meets binary floating point: 0.0001 → 0.00
    expect(percentOf(10, 0.1) + percentOf(10, 0.2)).toBe(0);
  });

  it('refuses more decimals than the currency has', () => {
    const parsed = contractInputSchema.safeParse({ ...contract(), currency: 'JPY' });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toContain('rates.0.perItem');
  });
});

describe('the rate card', () => {
  it.each([
    [{ skill: 'claims', kind: 'back_office' }, 420],
    [{ skill: 'claims', kind: 'front_office' }, 300],
    [{ skill: 'billing', kind: 'back_office' }, 250],
    [{ skill: 'payroll', kind: 'front_office' }, 300],
  ])('%o costs %i cents: the first match wins, the default last', (ticket, cents) => {
    expect(priceMinor(contract(), ticket)).toBe(cents);
  });

  it('needs a default last', () => {
    expect(
      contractInputSchema.safeParse({ ...contract(), rates: [{ skill: 'x', perItem: '1.00' }] }).success,
    ).toBe(false);
  });
});

describe('periods in the contract time zone', () => {
  it.each([
    // New York: DST ends 2026-11-01 02:00 local, so the month starts in EDT and ends in EST
    ['2026-11', 'America/New_York', '2026-11-01T04:00:00.000Z', '2026-12-01T05:00:00.000Z'],
    // DST starts 2026-03-08: the month starts in EST and ends in EDT
    ['2026-03', 'America/New_York', '2026-03-01T05:00:00.000Z', '2026-04-01T04:00:00.000Z'],
    ['2026-Q4', 'America/New_York', '2026-10-01T04:00:00.000Z', '2027-01-01T05:00:00.000Z'],
    ['2026-Q1', 'America/New_York', '2026-01-01T05:00:00.000Z', '2026-04-01T04:00:00.000Z'],
    // Kolkata: UTC+05:30 all year
    ['2026-11', 'Asia/Kolkata', '2026-10-31T18:30:00.000Z', '2026-11-30T18:30:00.000Z'],
    ['2027-Q1', 'Asia/Kolkata', '2026-12-31T18:30:00.000Z', '2027-03-31T18:30:00.000Z'],
  ])('%s in %s is [%s, %s)', (period, zone, start, end) => {
    expect(periodBounds(period, zone)).toStrictEqual({ startMs: utc(start), endMs: utc(end) });
  });

  it.each([
    ['2026-11-01T03:59:59.999Z', 'America/New_York', 'month', '2026-10'],
    ['2026-11-01T04:00:00.000Z', 'America/New_York', 'month', '2026-11'],
    ['2026-12-01T04:59:59.999Z', 'America/New_York', 'month', '2026-11'],
    ['2026-12-01T05:00:00.000Z', 'America/New_York', 'quarter', '2026-Q4'],
    ['2027-01-01T04:59:59.999Z', 'America/New_York', 'quarter', '2026-Q4'],
    ['2027-01-01T05:00:00.000Z', 'America/New_York', 'quarter', '2027-Q1'],
    ['2026-11-30T18:29:59.999Z', 'Asia/Kolkata', 'month', '2026-11'],
    ['2026-11-30T18:30:00.000Z', 'Asia/Kolkata', 'month', '2026-12'],
    ['2026-12-31T18:30:00.000Z', 'Asia/Kolkata', 'quarter', '2027-Q1'],
  ] as const)('%s in %s falls in the %s %s', (instant, zone, kind, period) => {
    expect(periodOf(utc(instant), zone, kind)).toBe(period);
  });

  it('walks periods and their months', () => {
    expect(shiftPeriod('2026-01', 1)).toBe('2025-12');
    expect(shiftPeriod('2026-Q1', 1)).toBe('2025-Q4');
    expect(shiftPeriod('2026-Q4', -1)).toBe('2027-Q1');
    expect(monthsOfPeriod('2026-Q4')).toStrictEqual(['2026-10', '2026-11', '2026-12']);
  });
});

describe('contract versions', () => {
  const v1 = version(contract(), 1);
  const v2 = version(contract({ effectiveFrom: '2026-11-16', rates: [{ perItem: '3.00' }] }), 2);
  const kolkata = version(contract({ effectiveFrom: '2026-12-01', timeZone: 'Asia/Kolkata' }), 3);

  it('applies a version from local midnight of effectiveFrom until the next', () => {
    expect(contractInForce([v1, v2], utc('2026-11-01T03:59:59.999Z'))).toBeUndefined();
    expect(contractInForce([v1, v2], utc('2026-11-16T04:59:59.999Z'))?.version).toBe(1);
    expect(contractInForce([v1, v2], utc('2026-11-16T05:00:00.000Z'))?.version).toBe(2);
    // the Kolkata version starts at 2026-11-30T18:30Z, its own local midnight
    expect(contractInForce([v1, v2, kolkata], utc('2026-11-30T18:29:00.000Z'))?.version).toBe(2);
    expect(contractInForce([v1, v2, kolkata], utc('2026-11-30T18:30:00.000Z'))?.version).toBe(3);
  });

  it('prices completions by the version in force when they completed (a contract changed mid-period)', () => {
    const completedAt = (at: string) => {
      const queued = toQueued(
        receivedTicket({ skill: 'billing' }),
        { providerId: 'acme' },
        { decidedAt: at, providerId: 'acme', reason: 'best score', candidates: [] },
        false,
        utc(at) - 3_600_000,
      );
      const leased = toLeased(queued, 'token', '2026-12-31T00:00:00.000Z', utc(at) - 1_800_000);
      return [
        leased,
        toCompleted({ ...leased, dueAt: '2026-12-31T00:00:00.000Z' }, undefined, utc(at)),
      ] as const;
    };
    const counted = ['2026-11-10T15:00:00.000Z', '2026-11-20T15:00:00.000Z'].flatMap((at) => {
      const [before, after] = completedAt(at);
      return kpiIncrements(before, after, (_id, ms) => contractInForce([v1, v2], ms), {
        kpi: (providerId, month) => ({ pk: `KPI#${providerId}`, sk: month }),
        quality: (providerId, day) => ({ pk: `Q#${providerId}`, sk: day }),
      });
    });
    expect(counted.map((increment) => [increment.key.sk, increment.add.feesMinor])).toStrictEqual([
      ['2026-11', 250],
      ['2026-11', 300],
    ]);
    expect(sumCounters(counted.map((increment) => increment.add))).toMatchObject({
      completed: 2,
      met: 2,
      'met@P2': 2,
      'met@s:billing': 2,
      feesMinor: 550,
      handleCount: 2,
      'handle#30': 2,
    });
  });
});

describe('SLA attainment per policy and target (issue 16 point 7)', () => {
  const keys = {
    kpi: (providerId: string, month: string) => ({ pk: `KPI#${providerId}`, sk: month }),
    quality: (providerId: string, day: string) => ({ pk: `Q#${providerId}`, sk: day }),
  };
  const contractOf = () => version(contract(), 1);

  it('counts a pickup met at lease and one met late, per target and per policy, and a KPI reads them', () => {
    const at = '2026-11-10T15:00:00.000Z';
    const withPickup = (dueAt: string) => {
      const received = receivedTicket({ skill: 'billing' });
      return {
        ...received,
        sla: {
          ...received.sla,
          policyId: 'gold',
          targets: {
            ...received.sla.targets,
            pickup: { dueAt, atRiskAt: dueAt, seconds: 600, breached: false },
          },
        },
      };
    };
    const leasedAt = (ticket: ReturnType<typeof withPickup>) => {
      const queued = toQueued(
        ticket,
        { providerId: 'acme' },
        { decidedAt: at, providerId: 'acme', reason: 'best score', candidates: [] },
        false,
        utc(at) - 60_000,
      );
      return [queued, toLeased(queued, 'token', '2026-12-31T00:00:00.000Z', utc(at))] as const;
    };
    const counted = [withPickup('2026-11-10T16:00:00.000Z'), withPickup('2026-11-10T14:00:00.000Z')].flatMap(
      (ticket) => {
        const [before, after] = leasedAt(ticket);
        return kpiIncrements(before, after, () => contractOf(), keys);
      },
    );
    const counters = sumCounters(counted.map((increment) => increment.add));
    expect(counters).toMatchObject({
      'met@t:pickup': 1,
      'met@t:pickup@p:gold': 1,
      'breached@t:pickup': 1,
      'breached@t:pickup@p:gold': 1,
    });
    const kpi = contractInputSchema.parse({
      ...contract(),
      kpis: [
        { id: 'pickup-gold', metric: 'sla_attainment', policyId: 'gold', slaTarget: 'pickup', target: 0.9 },
      ],
    }).kpis[0]!;
    expect(evaluateKpi(kpi, counters, 1_000_000, 2)).toMatchObject({ actual: 0.5, met: false });
  });

  it('refuses a policy or target on another metric, or beside a priority', () => {
    for (const kpi of [
      { id: 'q', metric: 'quality_score', slaTarget: 'pickup', target: 0.8 },
      { id: 's', metric: 'sla_attainment', policyId: 'gold', priority: 'P1', target: 0.8 },
    ])
      expect(contractInputSchema.safeParse({ ...contract(), kpis: [kpi] }).success).toBe(false);
  });
});

describe('KPI credits, penalties, the cap and the shortfall', () => {
  const base = { feesMinor: 1_000_000, completed: 400 };

  it('a missed KPI credits percentOfFees plus perPointBelow per full point under target', () => {
    const kpi = contract().kpis[0]!;
    // 93 % against 95 %: 2 full points → 5 % + 2 × 1 % = 7 % of 10,000.00
    expect(evaluateKpi(kpi, { 'met@P1': 93, 'breached@P1': 7 }, 1_000_000, 2)).toMatchObject({
      actual: 0.93,
      met: false,
      pointsBeyond: 2,
      credit: '700.00',
    });
    // 37/40 = 92.5 %: 2.5 points → 2 full points
    expect(evaluateKpi(kpi, { 'met@P1': 37, 'breached@P1': 3 }, 1_000_000, 2).pointsBeyond).toBe(2);
    // exactly at target: met
    expect(evaluateKpi(kpi, { 'met@P1': 19, 'breached@P1': 1 }, 1_000_000, 2)).toMatchObject({
      met: true,
      credit: '0.00',
    });
    // nothing measured: no actual, no credit
    expect(evaluateKpi(kpi, {}, 1_000_000, 2)).toMatchObject({ actual: null, met: true, credit: '0.00' });
  });

  it('a max KPI is missed above its standard', () => {
    const reopens = contract().kpis[3]!;
    expect(evaluateKpi(reopens, { reopened: 6, completed: 100 }, 1_000_000, 2)).toMatchObject({
      actual: 0.06,
      met: false,
      pointsBeyond: 1,
      credit: '200.00',
    });
    expect(evaluateKpi(reopens, { reopened: 5, completed: 100 }, 1_000_000, 2).met).toBe(true);
  });

  it('caps credits and penalties together at creditCapPercent of fees; adds the shortfall', () => {
    const money = settle(contract(), {
      ...base,
      'met@P1': 80,
      'breached@P1': 20,
      met: 380,
      breached: 20,
      penaltyMinor: 20 * 5000,
      qaSum: 9 * 800_000,
      qaCount: 9,
    });
    // sla-p1: 80 % → 15 points → 5 + 15 = 20 % = 2,000.00; sla: 95 % met; quality 0.80 < 0.85 → 2 % = 200.00
    expect(money.kpis.map((kpi) => kpi.credit)).toStrictEqual(['2000.00', '0.00', '200.00', '0.00']);
    expect(money.creditsMinor).toBe(200_000 + 20_000 + 100_000);
    expect(money.capMinor).toBe(150_000);
    expect(money.capApplied).toBe(true);
    // (1000 − 400) × 1.50 = 900.00
    expect(money.shortfallMinor).toBe(90_000);
    // 10,000.00 + 900.00 − 1,500.00
    expect(money.netPayableMinor).toBe(1_000_000 + 90_000 - 150_000);
  });

  it('the scorecard shows the money as decimal strings and projects the open period', () => {
    const card = scorecard({
      providerId: 'acme',
      period: '2026-11',
      contract: contract(),
      counters: { ...base, met: 400 },
      final: false,
      pace: { startMs: 0, endMs: 100, nowMs: 50 },
    });
    expect(card).toMatchObject({
      fees: '10000.00',
      shortfall: '900.00',
      netPayable: '10900.00',
      capApplied: false,
      projection: {
        completed: 800,
        fees: '20000.00',
        shortfall: '300.00',
        netPayable: '20300.00',
        kpisAtRisk: [],
      },
    });
    const csv = scorecardsCsv([card]);
    expect(csv.split('\r\n')[0]).toBe(
      'providerId,period,final,currency,contractVersion,completed,breached,reopened,kpiId,metric,actual,target,max,met,kpiCredit,fees,breachPenalties,kpiCredits,capApplied,credits,shortfall,netPayable',
    );
    expect(csv.split('\r\n')).toHaveLength(1 + 4 + 1);
  });
});

describe('handle time median', () => {
  it('buckets by the minute below 4 h, 10 minutes to a day, an hour to a week', () => {
    expect([0.4, 59.9, 239, 245, 1439, 1530, 20_000].map(handleBucket)).toStrictEqual([
      0, 59, 239, 240, 1430, 1500, 10080,
    ]);
  });

  it('is the lower edge of the middle completion’s bucket', () => {
    expect(medianHandleMinutes({ 'handle#3': 1, 'handle#5': 1, 'handle#9': 1 })).toBe(5);
    expect(medianHandleMinutes({ 'handle#3': 2, 'handle#9': 2 })).toBe(3);
    expect(medianHandleMinutes({})).toBeUndefined();
  });
});

describe('routing cost basis', () => {
  it('is the rate-card price, or price less shortfall while behind the minimum pace', () => {
    const now = utc('2026-11-16T05:00:00.000Z'); // about half of November in New York
    const ahead = contractPricing(contract(), 600, now);
    const behind = contractPricing(contract(), 100, now);
    expect(routingCost({ costPerItem: 9, contractPricing: ahead }, { skill: 'billing' })).toStrictEqual({
      cost: 2.5,
      basis: 'rate_card',
    });
    expect(routingCost({ costPerItem: 9, contractPricing: behind }, { skill: 'billing' })).toStrictEqual({
      cost: 1,
      basis: 'take_or_pay',
    });
    expect(routingCost({ costPerItem: 9 }, { skill: 'billing' })).toStrictEqual({
      cost: 9,
      basis: 'cost_per_item',
    });
  });
});

describe('routing knows the contract', () => {
  const decide = (providers: ProviderSnapshot[], kind: 'front_office' | 'back_office' = 'front_office') =>
    decideRoute({
      ticket: routableTicket({ kind }),
      providers,
      policy: { ...DEFAULT_ROUTING_POLICY, weights: { slack: 0, cost: 1, quality: 0, share: 0, load: 0 } },
      nowMs: NOW,
      calendars: new CalendarCache(),
    });
  const priced = (
    rates: ContractPricing['rates'],
    minimum?: ContractPricing['minimum'],
  ): ContractPricing => ({
    currency: 'USD',
    rates,
    ...(minimum ? { minimum } : {}),
  });

  it('prices by the rate card for the ticket’s skill and kind, and says so', () => {
    // costPerItem says A is cheaper; A's contract says billing back office costs 5.00
    const a = providerSnapshot('a', {
      costPerItem: 1,
      contractPricing: priced([{ skill: 'billing', kind: 'back_office', perItem: 5 }, { perItem: 1 }]),
    });
    const b = providerSnapshot('b', { costPerItem: 3 });
    const backOffice = decide([a, b], 'back_office').explanation;
    expect(backOffice.providerId).toBe('b');
    expect(backOffice.candidates.find((c) => c.providerId === 'a')?.costBasis).toStrictEqual({
      basis: 'rate_card',
      cost: 5,
    });
    expect(backOffice.candidates.find((c) => c.providerId === 'b')?.costBasis).toBeUndefined();
    expect(decide([a, b], 'front_office').order[0]).toBe('a');
  });

  it('behind its take-or-pay pace, a provider costs its price less the shortfall it saves', () => {
    const rates = [{ perItem: 4 }];
    const behind = providerSnapshot('a', {
      contractPricing: priced(rates, { shortfallPerItem: 3.5, behindPace: true }),
    });
    const other = providerSnapshot('b', { costPerItem: 2 });
    const decision = decide([behind, other]).explanation;
    expect(decision.providerId).toBe('a');
    expect(decision.candidates.find((c) => c.providerId === 'a')?.costBasis).toStrictEqual({
      basis: 'take_or_pay',
      cost: 0.5,
    });
    const onPace = providerSnapshot('a', {
      contractPricing: priced(rates, { shortfallPerItem: 3.5, behindPace: false }),
    });
    expect(decide([onPace, other]).order[0]).toBe('b');
  });

  it('uses the measured quality and says where it came from', () => {
    const quality = {
      ...DEFAULT_ROUTING_POLICY,
      weights: { slack: 0, cost: 0, quality: 1, share: 0, load: 0 },
    };
    const declaredHigh = providerSnapshot('a', {
      qualityScore: 0.95,
      measuredQuality: { quality: 0.7, source: 'blended', samples: 12 },
    });
    const declaredLow = providerSnapshot('b', { qualityScore: 0.8 });
    const decision = decideRoute({
      ticket: routableTicket(),
      providers: [declaredHigh, declaredLow],
      policy: quality,
      nowMs: NOW,
      calendars: new CalendarCache(),
    }).explanation;
    expect(decision.providerId).toBe('b');
    expect(decision.candidates.find((c) => c.providerId === 'a')).toMatchObject({
      qualitySource: 'blended',
      factors: { quality: 0.7 },
    });
  });

  it('blends QA scores with the declared score, recent ones weighing more', () => {
    const now = utc('2026-11-30T12:00:00.000Z');
    expect(measuredQuality(0.9, [], now)).toStrictEqual({ quality: 0.9, source: 'declared', samples: 0 });
    // 20 fresh samples at 0.7 against a prior of 20 at 0.9: halfway
    const fresh = measuredQuality(0.9, [{ day: '2026-11-30', qaSum: 14_000_000, qaCount: 20 }], now);
    expect(fresh.source).toBe('blended');
    expect(fresh.quality).toBeCloseTo(0.8, 6);
    // the same samples 14 days old weigh half
    const old = measuredQuality(0.9, [{ day: '2026-11-16', qaSum: 14_000_000, qaCount: 20 }], now);
    expect(old.quality).toBeCloseTo((10 * 0.7 + 20 * 0.9) / 30, 6);
    expect(measuredQuality(0.9, [{ day: '2026-11-30', qaSum: 56_000_000, qaCount: 80 }], now).source).toBe(
      'measured',
    );
  });
});

describe('the simulator prices by the same rule', () => {
  const START = Date.parse('2026-01-05T00:00:00.000Z');
  const tickets = Array.from({ length: 60 }, (_, i) => ({
    createdMs: START + i * 10 * 60_000,
    priority: 'P3' as const,
    skill: 'billing',
  }));
  const base = {
    status: 'active' as const,
    timeZone: 'UTC',
    skills: { billing: 3 },
    capacity: 1000,
    throughputPerHour: 600,
    qualityScore: 1,
    dataClearance: 'restricted' as const,
  };
  const run = (minimumVolume?: ContractInput['minimumVolume']) =>
    runSimulation({
      tickets,
      providers: [
        {
          ...base,
          providerId: 'under-contract',
          costPerItem: 9,
          contract: contract({ timeZone: 'UTC', rates: [{ perItem: '4.00' }], minimumVolume, kpis: [] }),
        },
        { ...base, providerId: 'spot', costPerItem: 2 },
      ],
      policy: 'outroute',
      routingPolicy: {
        ...DEFAULT_ROUTING_POLICY,
        weights: { slack: 0, cost: 1, quality: 0, share: 0, load: 0 },
      },
      seed: 1,
    });

  it('routes to the cheaper price, and to the provider behind its take-or-pay pace when that saves money', () => {
    // rate card 4.00 against 2.00: the spot provider gets the work, at 2.00 each
    expect(run().costPerTicket).toBeCloseTo(2, 6);
    // behind a minimum of 100,000 with 3.50 shortfall: one more item there costs 0.50, and is billed 4.00
    expect(run({ items: 100_000, shortfallPerItem: '3.50' }).costPerTicket).toBeCloseTo(4, 6);
  });
});

describe('a version that changes currency, period or time zone', () => {
  const november = version(contract(), 1);
  it('starts a period of its own', () => {
    expect(
      contractChangeProblem([november], contract({ effectiveFrom: '2026-11-16', currency: 'EUR' })),
    ).toMatchObject({ path: 'effectiveFrom' });
    expect(
      contractChangeProblem([november], contract({ effectiveFrom: '2026-12-01', currency: 'EUR' })),
    ).toBeUndefined();
    expect(
      contractChangeProblem([november], contract({ effectiveFrom: '2026-12-01', period: 'quarter' })),
    ).toMatchObject({
      path: 'effectiveFrom',
    });
    expect(
      contractChangeProblem([november], contract({ effectiveFrom: '2027-01-01', period: 'quarter' })),
    ).toBeUndefined();
    // other changes (prices, KPIs) may start any day
    expect(
      contractChangeProblem([november], contract({ effectiveFrom: '2026-11-16', creditCapPercent: 10 })),
    ).toBeUndefined();
  });
});
