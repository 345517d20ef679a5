// Provider contracts (API.md, "Contracts, feedback and scorecards"): the contract schema, which version is
// in force when, the periods it is measured in (local midnight in its time zone, DST-correct, through
// luxon) and its rate card. Money rules are in money.ts, the statement in scorecard.ts.
import { DateTime } from 'luxon';
import { z } from 'zod';
import { currencySchema, decimalsOf, minorDigits, moneySchema, toMinor } from './money.js';
import { boundedNumber } from './numbers.js';
import { PRIORITIES } from './schemas.js';
import type { Priority } from './types.js';

export const KPI_METRICS = [
  'sla_attainment',
  'quality_score',
  'csat',
  'reopen_rate',
  'rejection_rate',
  'median_handle_minutes',
  /** Holds per lease (issue 14): how often the provider waits for someone else. */
  'hold_rate',
] as const;
export type KpiMetric = (typeof KPI_METRICS)[number];

const isTimeZone = (zone: string) => DateTime.now().setZone(zone).isValid;
const skillSelector = z.string().min(1).max(64);
const kindSelector = z.enum(['front_office', 'back_office']);

const rateSchema = z.strictObject({
  skill: skillSelector.optional(),
  kind: kindSelector.optional(),
  perItem: moneySchema,
});

const kpiSchema = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'letters, digits, _ . -'),
    metric: z.enum(KPI_METRICS),
    /** sla_attainment only: measured over this priority and/or skill. */
    priority: z.enum(PRIORITIES).optional(),
    skill: skillSelector.optional(),
    /**
     * sla_attainment only: measured on the tickets of this SLA policy and/or on this target of their SLA
     * (default resolution). Named `slaTarget`: `target` is the KPI's standard.
     */
    policyId: z.string().min(1).max(128).optional(),
    slaTarget: z.enum(['pickup', 'firstResponse', 'resolution']).optional(),
    /** The standard is met at or above `target`, or at or below `max`. */
    target: boundedNumber(0, 100_000, 6).optional(),
    max: boundedNumber(0, 100_000, 6).optional(),
    credit: z
      .strictObject({
        percentOfFees: boundedNumber(0, 100, 6).optional(),
        perPointBelow: boundedNumber(0, 100, 6).optional(),
      })
      .default({}),
  })
  .superRefine((kpi, ctx) => {
    if ((kpi.target === undefined) === (kpi.max === undefined))
      ctx.addIssue({ code: 'custom', message: 'exactly one of target (at least) or max (at most)' });
    if ((kpi.priority || kpi.skill || kpi.policyId || kpi.slaTarget) && kpi.metric !== 'sla_attainment')
      ctx.addIssue({
        code: 'custom',
        message: 'priority, skill, policyId and slaTarget select sla_attainment only',
      });
    if ((kpi.policyId || kpi.slaTarget) && (kpi.priority || kpi.skill))
      ctx.addIssue({
        code: 'custom',
        message: 'an SLA policy or target is measured over all priorities and skills of its tickets',
      });
    const standard = kpi.target ?? kpi.max ?? 0;
    if (RATIO_METRICS.has(kpi.metric) && standard > 1)
      ctx.addIssue({ code: 'custom', message: `${kpi.metric} is a ratio: its standard is 0 to 1` });
    if (kpi.metric === 'csat' && (standard < 1 || standard > 5))
      ctx.addIssue({ code: 'custom', message: 'csat is 1 to 5' });
  });
export type Kpi = z.infer<typeof kpiSchema>;

/** KPIs measured as a share 0..1; a "point" of them is one percentage point. */
export const RATIO_METRICS: ReadonlySet<KpiMetric> = new Set([
  'sla_attainment',
  'quality_score',
  'reopen_rate',
  'rejection_rate',
  'hold_rate',
]);

export const contractInputSchema = z
  .strictObject({
    /** A local date in `timeZone`: the version applies from its local midnight until the next version. */
    effectiveFrom: z.iso.date(),
    timeZone: z.string().refine(isTimeZone, 'an IANA time zone such as America/New_York'),
    currency: currencySchema,
    period: z.enum(['month', 'quarter']),
    rates: z
      .array(rateSchema)
      .min(1)
      .max(200)
      .refine((rates) => {
        const last = rates[rates.length - 1];
        return !!last && last.skill === undefined && last.kind === undefined;
      }, 'the last rate is the default: no skill, no kind'),
    minimumVolume: z
      .strictObject({ items: z.number().int().min(0).max(100_000_000), shortfallPerItem: moneySchema })
      .optional(),
    kpis: z.array(kpiSchema).max(50).default([]),
    breachPenalties: z.partialRecord(z.enum(PRIORITIES), moneySchema).default({}),
    creditCapPercent: boundedNumber(0, 100, 6).optional(),
  })
  .superRefine((contract, ctx) => {
    if (!currencySchema.safeParse(contract.currency).success) return;
    const digits = minorDigits(contract.currency);
    const amounts: [string, (string | number)[]][] = [
      ...contract.rates.map((rate, i): [string, (string | number)[]] => [
        rate.perItem,
        ['rates', i, 'perItem'],
      ]),
      ...Object.entries(contract.breachPenalties).map(([priority, amount]): [string, (string | number)[]] => [
        amount ?? '0',
        ['breachPenalties', priority],
      ]),
      ...(contract.minimumVolume
        ? [
            [contract.minimumVolume.shortfallPerItem, ['minimumVolume', 'shortfallPerItem']] as [
              string,
              string[],
            ],
          ]
        : []),
    ];
    for (const [amount, path] of amounts)
      if (decimalsOf(amount) > digits)
        ctx.addIssue({ code: 'custom', path, message: `${contract.currency} has ${digits} decimals` });
    const ids = contract.kpis.map((kpi) => kpi.id);
    if (new Set(ids).size !== ids.length)
      ctx.addIssue({ code: 'custom', path: ['kpis'], message: 'KPI ids repeat' });
  })
  .meta({ id: 'ContractInput' });
export type ContractInput = z.infer<typeof contractInputSchema>;

/** A stored version: the input plus its number and who stored it when. */
export interface ContractVersion extends ContractInput {
  providerId: string;
  version: number;
  createdAt: string;
  createdBy: { keyId: string | null; role: string };
}

export const contractQuerySchema = z.strictObject({ at: z.iso.datetime({ offset: true }).optional() });

/** The instant a version starts: local midnight of `effectiveFrom` in its time zone. */
export function effectiveFromMs(contract: Pick<ContractInput, 'effectiveFrom' | 'timeZone'>): number {
  const key = `${contract.effectiveFrom} ${contract.timeZone}`;
  let start = STARTS.get(key);
  if (start === undefined) {
    start = DateTime.fromISO(contract.effectiveFrom, { zone: contract.timeZone }).startOf('day').toMillis();
    if (STARTS.size > 10_000) STARTS.clear();
    STARTS.set(key, start);
  }
  return start;
}
/** Local midnights already computed (the stream asks for the same few versions for every ticket change). */
const STARTS = new Map<string, number>();

/**
 * The version in force at an instant: the latest start at or before it; of versions starting at the same
 * instant, the one stored last. Undefined before the first version.
 */
export function contractInForce<T extends ContractVersion>(
  versions: readonly T[],
  atMs: number,
): T | undefined {
  let best: T | undefined;
  let bestStart = Number.NEGATIVE_INFINITY;
  for (const version of versions) {
    const start = effectiveFromMs(version);
    if (start > atMs) continue;
    if (!best || start > bestStart || (start === bestStart && version.version > best.version)) {
      best = version;
      bestStart = start;
    }
  }
  return best;
}

// ---- periods ----------------------------------------------------------------------------------------

/** `2026-11` (month) or `2026-Q4` (quarter). */
export const periodSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$/, 'a month such as 2026-11 or a quarter such as 2026-Q4');
export type PeriodKind = ContractInput['period'];

export const periodKindOf = (period: string): PeriodKind => (period.includes('Q') ? 'quarter' : 'month');

/** The month (`2026-11`) an instant falls in, in a time zone: KPI counters are kept per local month. */
export function monthOf(atMs: number, timeZone: string): string {
  return DateTime.fromMillis(atMs, { zone: timeZone }).toFormat('yyyy-MM');
}

/** The period of a kind an instant falls in, in a time zone. */
export function periodOf(atMs: number, timeZone: string, kind: PeriodKind): string {
  const local = DateTime.fromMillis(atMs, { zone: timeZone });
  return kind === 'month' ? local.toFormat('yyyy-MM') : `${local.year}-Q${local.quarter}`;
}

/** The first local month of a period and how many months it has. */
function firstMonth(period: string): { year: number; month: number; months: number } {
  const [year, part] = period.split('-') as [string, string];
  return part.startsWith('Q')
    ? { year: Number(year), month: (Number(part.slice(1)) - 1) * 3 + 1, months: 3 }
    : { year: Number(year), month: Number(part), months: 1 };
}

/** [startMs, endMs): local midnight of its first day to local midnight of the next period's first day. */
export function periodBounds(period: string, timeZone: string): { startMs: number; endMs: number } {
  const { year, month, months } = firstMonth(period);
  const start = DateTime.fromObject({ year, month, day: 1 }, { zone: timeZone }).startOf('day');
  return { startMs: start.toMillis(), endMs: start.plus({ months }).toMillis() };
}

/** The months (`yyyy-MM`) a period is made of. */
export function monthsOfPeriod(period: string): string[] {
  const { year, month, months } = firstMonth(period);
  return Array.from({ length: months }, (_, i) =>
    DateTime.fromObject({ year, month }, { zone: 'UTC' }).plus({ months: i }).toFormat('yyyy-MM'),
  );
}

/** The period `steps` periods before (negative: after) this one. */
export function shiftPeriod(period: string, steps: number): string {
  const { year, month } = firstMonth(period);
  const kind = periodKindOf(period);
  const shifted = DateTime.fromObject({ year, month }, { zone: 'UTC' }).minus({
    months: steps * (kind === 'month' ? 1 : 3),
  });
  return kind === 'month' ? shifted.toFormat('yyyy-MM') : `${shifted.year}-Q${shifted.quarter}`;
}

// ---- rate card and routing cost --------------------------------------------------------------------

/** The first rate whose every given selector matches (the last, without selectors, always does). */
export function rateFor<R extends { skill?: string; kind?: string }>(
  rates: readonly R[],
  ticket: { skill: string; kind: string },
): R | undefined {
  return rates.find(
    (rate) =>
      (rate.skill === undefined || rate.skill === ticket.skill) &&
      (rate.kind === undefined || rate.kind === ticket.kind),
  );
}

/** Price of one item in minor units under a contract. */
export function priceMinor(contract: ContractInput, ticket: { skill: string; kind: string }): number {
  const rate = rateFor(contract.rates, ticket);
  return rate ? toMinor(rate.perItem, minorDigits(contract.currency)) : 0;
}

/** Penalty of one breached ticket of a priority, in minor units. */
export function breachPenaltyMinor(contract: ContractInput, priority: Priority): number {
  const amount = contract.breachPenalties[priority];
  return amount ? toMinor(amount, minorDigits(contract.currency)) : 0;
}

/**
 * What routing needs of a provider's contract (carried in its snapshot): the rate card in major units
 * (a score is not money: floats are fine there) and, under a take-or-pay minimum, whether the provider is
 * behind the pace that reaches its minimum by the period's end.
 */
export interface ContractPricing {
  currency: string;
  rates: { skill?: string; kind?: string; perItem: number }[];
  minimum?: { shortfallPerItem: number; behindPace: boolean };
}

export function contractPricing(
  contract: ContractInput,
  /** Billable completions so far in the current period. */
  completedInPeriod: number,
  nowMs: number,
  /** The current period's bounds, when the caller knows them (the simulator keeps them per provider). */
  bounds = periodBounds(periodOf(nowMs, contract.timeZone, contract.period), contract.timeZone),
): ContractPricing {
  const pricing: ContractPricing = {
    currency: contract.currency,
    rates: contract.rates.map(({ skill, kind, perItem }) => ({ skill, kind, perItem: Number(perItem) })),
  };
  if (contract.minimumVolume && contract.minimumVolume.items > 0) {
    const { startMs, endMs } = bounds;
    const pace = (contract.minimumVolume.items * (nowMs - startMs)) / (endMs - startMs);
    pricing.minimum = {
      shortfallPerItem: Number(contract.minimumVolume.shortfallPerItem),
      behindPace: completedInPeriod < Math.min(contract.minimumVolume.items, pace),
    };
  }
  return pricing;
}

export type CostBasis = 'rate_card' | 'take_or_pay' | 'cost_per_item';

/**
 * The marginal cost routing compares: the rate-card price; while a provider is behind the pace to its
 * take-or-pay minimum, the items up to the minimum are paid for already, so one more costs its price less
 * the shortfall it saves (never below 0); without a contract the provider's `costPerItem`.
 */
export function routingCost(
  provider: { costPerItem: number; contractPricing?: ContractPricing },
  ticket: { skill: string; kind?: string },
): { cost: number; basis: CostBasis } {
  const pricing = provider.contractPricing;
  if (!pricing) return { cost: provider.costPerItem, basis: 'cost_per_item' };
  const price = rateFor(pricing.rates, { skill: ticket.skill, kind: ticket.kind ?? '' })?.perItem ?? 0;
  if (pricing.minimum?.behindPace)
    return { cost: Math.max(0, price - pricing.minimum.shortfallPerItem), basis: 'take_or_pay' };
  return { cost: price, basis: 'rate_card' };
}

export const scorecardQuerySchema = z.strictObject({
  period: periodSchema,
  format: z.enum(['json', 'csv']).default('json'),
});

/**
 * A version that changes the currency, the period or the time zone must start a period of its own (the
 * first day of a month, or of a quarter): money and counters of one period stay in one currency and one
 * calendar. The problem to answer with a 400, or undefined.
 */
export function contractChangeProblem(
  versions: readonly ContractVersion[],
  input: ContractInput,
): { path: string; message: string } | undefined {
  const before = contractInForce(versions, effectiveFromMs(input) - 1);
  if (!before) return undefined;
  const changed = (['currency', 'period', 'timeZone'] as const).filter(
    (field) => before[field] !== input[field],
  );
  if (!changed.length) return undefined;
  const day = DateTime.fromISO(input.effectiveFrom);
  const startsPeriod = day.day === 1 && (input.period === 'month' || (day.month - 1) % 3 === 0);
  return startsPeriod
    ? undefined
    : {
        path: 'effectiveFrom',
        message: `a version that changes ${changed.join(', ')} starts on the first day of a ${input.period}`,
      };
}
