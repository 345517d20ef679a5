// A provider's scorecard for one period (API.md, "Contracts, feedback and scorecards"): volumes, each
// KPI's actual against its standard and its credit, fees, breach penalties, the cap, the minimum-volume
// shortfall and the net payable. Pure and exact: KPI actuals are compared as fractions of integers, money
// is in minor units (money.ts), each credit rounded once, half away from zero.
import { type ContractInput, type Kpi, RATIO_METRICS } from './contracts.js';
import {
  byPriority,
  byPriorityAndSkill,
  bySkill,
  byTarget,
  HANDLE_PREFIX,
  kpiCounter,
  type KpiCounters,
} from './kpi-counts.js';
import { divideRounded, formatMinor, MICRO, minorDigits, percentOf, toMicro, toMinor } from './money.js';
import type { OutEvent } from './events.js';
import { PRIORITIES } from './schemas.js';

/** An exact KPI value: numerator / denominator (both integers); undefined when nothing was measured. */
interface Fraction {
  num: bigint;
  den: bigint;
}

const fraction = (num: number, den: number): Fraction | undefined =>
  den > 0 ? { num: BigInt(Math.round(num)), den: BigInt(Math.round(den)) } : undefined;

const get = (counters: KpiCounters, name: string) => counters[name] ?? 0;

/** The median handle time in minutes from the histogram (lower edge of the middle completion's bucket). */
export function medianHandleMinutes(counters: KpiCounters): number | undefined {
  const buckets = Object.entries(counters)
    .filter(([name, count]) => name.startsWith(HANDLE_PREFIX) && count > 0)
    .map(([name, count]) => [Number(name.slice(HANDLE_PREFIX.length)), count] as const)
    .sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((sum, [, count]) => sum + count, 0);
  if (!total) return undefined;
  const middle = Math.ceil(total / 2); // the lower median of an even count
  let seen = 0;
  for (const [bucket, count] of buckets) {
    seen += count;
    if (seen >= middle) return bucket;
  }
  return undefined;
}

function kpiActual(kpi: Kpi, counters: KpiCounters): Fraction | undefined {
  switch (kpi.metric) {
    case 'sla_attainment': {
      const name = (counter: string) =>
        kpi.policyId || kpi.slaTarget
          ? byTarget(counter, kpi.slaTarget ?? 'resolution', kpi.policyId)
          : kpi.priority && kpi.skill
            ? byPriorityAndSkill(counter, kpi.priority, kpi.skill)
            : kpi.priority
              ? byPriority(counter, kpi.priority)
              : kpi.skill
                ? bySkill(counter, kpi.skill)
                : counter;
      const met = get(counters, name(kpiCounter.met));
      return fraction(met, met + get(counters, name(kpiCounter.breached)));
    }
    case 'quality_score':
      return fraction(get(counters, kpiCounter.qaSum), get(counters, kpiCounter.qaCount) * MICRO);
    case 'csat':
      return fraction(get(counters, kpiCounter.csatSum), get(counters, kpiCounter.csatCount));
    case 'reopen_rate':
      return fraction(get(counters, kpiCounter.reopened), get(counters, kpiCounter.completed));
    case 'rejection_rate':
      return fraction(get(counters, kpiCounter.rejected), get(counters, kpiCounter.leased));
    case 'hold_rate':
      return fraction(get(counters, kpiCounter.held), get(counters, kpiCounter.leased));
    case 'median_handle_minutes': {
      const median = medianHandleMinutes(counters);
      return median === undefined ? undefined : fraction(median, 1);
    }
  }
}

/**
 * One "point" beyond the standard, for `perPointBelow`: a percentage point (0.01) of the ratio KPIs,
 * a tenth of a star of csat, a minute of median handle time.
 */
export const pointOf = (metric: Kpi['metric']) =>
  RATIO_METRICS.has(metric) ? 0.01 : metric === 'csat' ? 0.1 : 1;

export interface KpiResult {
  id: string;
  metric: Kpi['metric'];
  priority?: string;
  skill?: string;
  /** Rounded to 4 decimals for reading; met/missed and points are decided on the exact fraction. */
  actual: number | null;
  target?: number;
  max?: number;
  met: boolean;
  /** Full points beyond the standard (0 when met). */
  pointsBeyond: number;
  credit: string;
  creditMinor: number;
}

/** Missed or met on the exact value; the credit is `percentOfFees` + `perPointBelow` × full points, of fees. */
export function evaluateKpi(kpi: Kpi, counters: KpiCounters, feesMinor: number, digits: number): KpiResult {
  const actual = kpiActual(kpi, counters);
  const standard = toMicro(kpi.target ?? kpi.max ?? 0);
  let met = true;
  let points = 0n;
  if (actual) {
    // actual × 1e6 compared with the standard in millionths, both over the fraction's denominator
    const value = actual.num * BigInt(MICRO);
    const limit = standard * actual.den;
    const beyond = kpi.target !== undefined ? limit - value : value - limit;
    met = beyond <= 0n;
    if (!met) points = beyond / (toMicro(pointOf(kpi.metric)) * actual.den);
  }
  const percent = met
    ? 0n
    : toMicro(kpi.credit.percentOfFees ?? 0) + toMicro(kpi.credit.perPointBelow ?? 0) * points;
  const creditMinor = Number(divideRounded(BigInt(feesMinor) * percent, 100n * BigInt(MICRO)));
  return {
    id: kpi.id,
    metric: kpi.metric,
    ...(kpi.priority ? { priority: kpi.priority } : {}),
    ...(kpi.skill ? { skill: kpi.skill } : {}),
    actual: actual ? Math.round((Number(actual.num) / Number(actual.den)) * 10_000) / 10_000 : null,
    ...(kpi.target !== undefined ? { target: kpi.target } : { max: kpi.max }),
    met,
    pointsBeyond: Number(points),
    credit: formatMinor(creditMinor, digits),
    creditMinor,
  };
}

/** The money of a period from its counters, in minor units. */
export function settle(contract: ContractInput, counters: KpiCounters) {
  const digits = minorDigits(contract.currency);
  const feesMinor = get(counters, kpiCounter.feesMinor);
  const penaltiesMinor = get(counters, kpiCounter.penaltyMinor);
  const kpis = contract.kpis.map((kpi) => evaluateKpi(kpi, counters, feesMinor, digits));
  const kpiCreditsMinor = kpis.reduce((sum, kpi) => sum + kpi.creditMinor, 0);
  const creditsMinor = kpiCreditsMinor + penaltiesMinor;
  const capMinor =
    contract.creditCapPercent === undefined ? undefined : percentOf(feesMinor, contract.creditCapPercent);
  const capApplied = capMinor !== undefined && creditsMinor > capMinor;
  const creditsAppliedMinor = capApplied ? capMinor : creditsMinor;
  const completed = get(counters, kpiCounter.completed);
  const shortfallMinor = contract.minimumVolume
    ? Math.max(0, contract.minimumVolume.items - completed) *
      toMinor(contract.minimumVolume.shortfallPerItem, digits)
    : 0;
  return {
    digits,
    kpis,
    feesMinor,
    penaltiesMinor,
    kpiCreditsMinor,
    creditsMinor,
    capMinor,
    capApplied,
    creditsAppliedMinor,
    shortfallMinor,
    netPayableMinor: feesMinor + shortfallMinor - creditsAppliedMinor,
  };
}

export interface Adjustment {
  /** The closed period that was counted late. */
  period: string;
  /** How much its net payable moved since it was frozen (and since earlier adjustments of it). */
  netPayable: string;
  netPayableMinor: number;
  /** Counters that changed, by how much. */
  counts: Record<string, number>;
}

export interface ScorecardInput {
  providerId: string;
  period: string;
  contract: ContractInput & { version?: number };
  counters: KpiCounters;
  final: boolean;
  /** For the open period: its bounds and now, for the projection. */
  pace?: { startMs: number; endMs: number; nowMs: number };
  adjustments?: Adjustment[];
  closedAt?: string;
}

const volumeOf = (counters: KpiCounters) => ({
  routed: get(counters, kpiCounter.routed),
  completed: get(counters, kpiCounter.completed),
  breached: get(counters, kpiCounter.breached),
  reopened: get(counters, kpiCounter.reopened),
  reworkCompleted: get(counters, kpiCounter.reworkCompleted),
  leased: get(counters, kpiCounter.leased),
  rejected: get(counters, kpiCounter.rejected),
  byPriority: Object.fromEntries(
    PRIORITIES.map((priority) => [
      priority,
      {
        completed: get(counters, byPriority(kpiCounter.completed, priority)),
        met: get(counters, byPriority(kpiCounter.met, priority)),
        breached: get(counters, byPriority(kpiCounter.breached, priority)),
      },
    ]),
  ),
});

/** Counters at the current pace extrapolated to the period's end (integers, rounded). */
function projectedCounters(counters: KpiCounters, pace: NonNullable<ScorecardInput['pace']>): KpiCounters {
  const elapsed = BigInt(Math.max(1, Math.min(pace.nowMs, pace.endMs) - pace.startMs));
  const length = BigInt(pace.endMs - pace.startMs);
  const projected: KpiCounters = Object.create(null);
  for (const [name, value] of Object.entries(counters))
    projected[name] = Number(divideRounded(BigInt(Math.round(value)) * length, elapsed));
  return projected;
}

/** The scorecard as API.md shows it. */
export function scorecard(input: ScorecardInput) {
  const { contract, counters } = input;
  const money = settle(contract, counters);
  const format = (minor: number) => formatMinor(minor, money.digits);
  const adjustments = input.adjustments ?? [];
  const adjustmentsMinor = adjustments.reduce((sum, adjustment) => sum + adjustment.netPayableMinor, 0);
  let projection;
  if (!input.final && input.pace) {
    const projected = settle(contract, projectedCounters(counters, input.pace));
    projection = {
      completed: get(projectedCounters(counters, input.pace), kpiCounter.completed),
      fees: format(projected.feesMinor),
      shortfall: format(projected.shortfallMinor),
      netPayable: format(projected.netPayableMinor),
      // At the current pace the rates stay as they are: a KPI missed now is missed at the end.
      kpisAtRisk: money.kpis.filter((kpi) => !kpi.met).map((kpi) => kpi.id),
    };
  }
  return {
    providerId: input.providerId,
    period: input.period,
    final: input.final,
    ...(input.closedAt ? { closedAt: input.closedAt } : {}),
    currency: contract.currency,
    contractVersion: contract.effectiveFrom,
    ...(contract.version !== undefined ? { contractVersionNumber: contract.version } : {}),
    volume: volumeOf(counters),
    kpis: money.kpis.map(({ creditMinor: _creditMinor, ...kpi }) => kpi),
    fees: format(money.feesMinor),
    breachPenalties: format(money.penaltiesMinor),
    kpiCredits: format(money.kpiCreditsMinor),
    creditsBeforeCap: format(money.creditsMinor),
    creditCap: money.capMinor === undefined ? null : format(money.capMinor),
    capApplied: money.capApplied,
    credits: format(money.creditsAppliedMinor),
    shortfall: format(money.shortfallMinor),
    netPayable: format(money.netPayableMinor),
    adjustments: adjustments.map(({ netPayableMinor: _minor, ...adjustment }) => adjustment),
    /** Net payable plus the adjustments of earlier, closed periods listed here. */
    netPayableWithAdjustments: format(money.netPayableMinor + adjustmentsMinor),
    ...(projection ? { projection } : {}),
  };
}
export type Scorecard = ReturnType<typeof scorecard>;

/** The adjustment a closed period needs: its counters and net payable now against a baseline (frozen + listed). */
export function adjustmentFor(
  period: string,
  contract: ContractInput,
  frozenCounters: KpiCounters,
  currentCounters: KpiCounters,
): Adjustment | undefined {
  const counts: Record<string, number> = {};
  for (const name of new Set([...Object.keys(frozenCounters), ...Object.keys(currentCounters)])) {
    const delta = get(currentCounters, name) - get(frozenCounters, name);
    if (delta !== 0) counts[name] = delta;
  }
  const delta =
    settle(contract, currentCounters).netPayableMinor - settle(contract, frozenCounters).netPayableMinor;
  if (!Object.keys(counts).length && delta === 0) return undefined;
  return {
    period,
    netPayable: formatMinor(delta, minorDigits(contract.currency)),
    netPayableMinor: delta,
    counts,
  };
}

const CSV_COLUMNS = [
  'providerId',
  'period',
  'final',
  'currency',
  'contractVersion',
  'completed',
  'breached',
  'reopened',
  'kpiId',
  'metric',
  'actual',
  'target',
  'max',
  'met',
  'kpiCredit',
  'fees',
  'breachPenalties',
  'kpiCredits',
  'capApplied',
  'credits',
  'shortfall',
  'netPayable',
] as const;

const csvCell = (value: unknown) => {
  const text = value === undefined || value === null ? '' : String(value);
  // Quoted when needed; a leading = + - @ is defused so a spreadsheet never runs it as a formula.
  const safe = /^[=+\-@\t\r]/.test(text) && !/^-?\d/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

/** One row per provider and KPI (a provider without KPIs: one row without them). */
export function scorecardsCsv(cards: readonly Scorecard[]): string {
  const rows: unknown[][] = [[...CSV_COLUMNS]];
  for (const card of cards) {
    const base = {
      providerId: card.providerId,
      period: card.period,
      final: card.final,
      currency: card.currency,
      contractVersion: card.contractVersion,
      completed: card.volume.completed,
      breached: card.volume.breached,
      reopened: card.volume.reopened,
      fees: card.fees,
      breachPenalties: card.breachPenalties,
      kpiCredits: card.kpiCredits,
      capApplied: card.capApplied,
      credits: card.credits,
      shortfall: card.shortfall,
      netPayable: card.netPayable,
    };
    const kpis = card.kpis.length ? card.kpis : [undefined];
    for (const kpi of kpis) {
      const row: Record<string, unknown> = {
        ...base,
        ...(kpi
          ? {
              kpiId: kpi.id,
              metric: kpi.metric,
              actual: kpi.actual,
              target: kpi.target,
              max: kpi.max,
              met: kpi.met,
              kpiCredit: kpi.credit,
            }
          : {}),
      };
      rows.push(CSV_COLUMNS.map((column) => row[column]));
    }
  }
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** `provider.scorecard_closed`, from a statement as stored (its scorecard kept as JSON text). */
export function scorecardClosedEvent(statement: Record<string, unknown>): OutEvent {
  const card = JSON.parse(String(statement.scorecard ?? '{}')) as Partial<Scorecard>;
  return {
    id: `${String(statement.providerId)}#${String(statement.period)}#closed`,
    type: 'provider.scorecard_closed',
    at: String(statement.closedAt),
    providerId: String(statement.providerId),
    period: String(statement.period),
    currency: card.currency ?? null,
    netPayable: card.netPayable ?? null,
    netPayableWithAdjustments: card.netPayableWithAdjustments ?? null,
  };
}
