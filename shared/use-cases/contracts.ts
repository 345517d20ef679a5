// Provider contracts and scorecards (API.md, "Contracts, feedback and scorecards"): versions, the KPI
// counters the stream keeps, scorecards with money, period closing into frozen statements, and what
// routing needs to know of a contract (rate card, minimum-volume pace, measured quality).
import {
  contractChangeProblem,
  type ContractInput,
  contractInForce,
  contractPricing,
  type ContractPricing,
  type ContractVersion,
  effectiveFromMs,
  monthOf,
  monthsOfPeriod,
  periodBounds,
  periodKindOf,
  periodOf,
  shiftPeriod,
} from '../domain/contracts.js';
import {
  measuredQuality,
  type QualityDay,
  QUALITY_WINDOW_DAYS,
  type QualitySource,
} from '../domain/feedback.js';
import { kpiCounter, type KpiCounters, kpiIncrements, sumCounters } from '../domain/kpi-counts.js';
import type { CounterIncrement } from '../domain/metric-counts.js';
import {
  adjustmentFor,
  type Adjustment,
  type Scorecard,
  scorecard,
  scorecardsCsv,
} from '../domain/scorecard.js';
import type { Provider, Ticket } from '../domain/types.js';
import { AppError, notFound } from '../lib/errors.js';
import { canonicalJson } from '../lib/hash.js';
import {
  contractedProviderIds,
  listContractVersions,
  listStatements,
  putContractVersion,
  putStatementOnce,
  readKpiMonths,
  readQualityDays,
  type StoredStatement,
} from '../store/contract-store.js';
import { kpiKey, qualityKey } from '../store/keys.js';
import { getProvider } from '../store/provider-store.js';
import { type AppContext, isoNow } from './context.js';

const ATTEMPTS = 4;
/** Closed periods looked back over for late counts (adjustments) and for closing after an outage. */
const LOOKBACK_PERIODS = 12;

/** How a version is shown: the contract, its number, and who stored it when. */
const versionView = (version: ContractVersion) => version;

// ---- versions -----------------------------------------------------------------------------------

/**
 * Stores a new version (201). The same contract as the latest version again stores nothing and answers
 * that version (200): a retried PUT is harmless.
 */
export async function putContract(
  ctx: AppContext,
  providerId: string,
  input: ContractInput,
  actor: ContractVersion['createdBy'],
): Promise<{ created: boolean; contract: ContractVersion }> {
  if (!(await getProvider(ctx.table, providerId))) throw notFound('provider');
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const versions = await listContractVersions(ctx.table, providerId);
    const latest = versions[versions.length - 1];
    if (latest && sameContract(latest, input)) return { created: false, contract: versionView(latest) };
    const problem = contractChangeProblem(versions, input);
    if (problem) throw new AppError('validation_error', problem.message, [problem]);
    const saved = await putContractVersion(ctx.table, providerId, input, latest, {
      createdAt: isoNow(ctx),
      createdBy: { keyId: actor.keyId, role: actor.role },
    });
    if (saved.outcome === 'created' && saved.version)
      return { created: true, contract: versionView(saved.version) };
    if (saved.outcome === 'no_provider') throw notFound('provider');
  }
  throw new AppError('conflict', 'the contract is changing too fast; retry');
}

const CONTRACT_FIELDS = [
  'effectiveFrom',
  'timeZone',
  'currency',
  'period',
  'rates',
  'minimumVolume',
  'kpis',
  'breachPenalties',
  'creditCapPercent',
] as const;
const sameContract = (stored: ContractInput, input: ContractInput) =>
  CONTRACT_FIELDS.every((field) => canonicalJson(stored[field]) === canonicalJson(input[field]));

/** The version in force at `at` (default now). */
export async function readContract(
  ctx: AppContext,
  providerId: string,
  at?: string,
): Promise<ContractVersion> {
  const versions = await listContractVersions(ctx.table, providerId);
  const found = contractInForce(versions, at ? Date.parse(at) : ctx.now());
  if (!found) throw notFound(versions.length ? 'a contract in force then' : 'contract');
  return versionView(found);
}

/** Every version, newest first. */
export async function listContracts(
  ctx: AppContext,
  providerId: string,
): Promise<{ items: ContractVersion[] }> {
  const versions = await listContractVersions(ctx.table, providerId);
  if (!versions.length && !(await getProvider(ctx.table, providerId))) throw notFound('provider');
  return { items: versions.reverse().map(versionView) };
}

// ---- counting (the stream consumer calls this for every ticket change) ----------------------------

/** Contract versions per provider, loaded once per cache (one stream batch, one invocation). */
export class ContractVersionsCache {
  private readonly versions = new Map<string, Promise<ContractVersion[]>>();
  get(ctx: AppContext, providerId: string): Promise<ContractVersion[]> {
    let found = this.versions.get(providerId);
    if (!found) this.versions.set(providerId, (found = listContractVersions(ctx.table, providerId)));
    return found;
  }
}

/** The providers whose contracts a ticket change may be counted under. */
function providersOf(before: Ticket | undefined, after: Ticket): string[] {
  const ids = new Set<string>();
  for (const ticket of [before, after]) if (ticket?.providerId) ids.add(ticket.providerId);
  for (const entry of after.history) if (entry.providerId) ids.add(entry.providerId);
  return [...ids];
}

/** The KPI counter increments of one ticket change, under the contracts in force when each thing happened. */
export async function contractKpiIncrements(
  ctx: AppContext,
  before: Ticket | undefined,
  after: Ticket,
  cache = new ContractVersionsCache(),
): Promise<CounterIncrement[]> {
  const versions = new Map(
    await Promise.all(providersOf(before, after).map(async (id) => [id, await cache.get(ctx, id)] as const)),
  );
  return kpiIncrements(
    before,
    after,
    (providerId, atMs) => contractInForce(versions.get(providerId) ?? [], atMs),
    { kpi: kpiKey, quality: qualityKey },
  );
}

// ---- scorecards ----------------------------------------------------------------------------------

/**
 * The version a period is settled under: in force at the period's last instant, the period's bounds taken
 * in that version's time zone. Undefined when no version was in force during the period.
 */
export function contractForPeriod(versions: readonly ContractVersion[], period: string) {
  const candidates = [...versions].sort(
    (a, b) => effectiveFromMs(b) - effectiveFromMs(a) || b.version - a.version,
  );
  for (const version of candidates) {
    const bounds = periodBounds(period, version.timeZone);
    if (effectiveFromMs(version) < bounds.endMs) {
      const settled = contractInForce(versions, bounds.endMs - 1) ?? version;
      return { contract: settled, ...periodBounds(period, settled.timeZone) };
    }
  }
  return undefined;
}

const periodCounters = (months: Map<string, KpiCounters>, period: string) =>
  sumCounters(monthsOfPeriod(period).map((month) => months.get(month) ?? {}));

/**
 * The adjustments a period lists: for each closed period before it, what its counters are now against what
 * was frozen plus the late counts already listed by later statements (net payable differences telescope,
 * so each late count is listed once).
 */
function adjustmentsBefore(
  period: string,
  versions: readonly ContractVersion[],
  months: Map<string, KpiCounters>,
  statements: Map<string, StoredStatement>,
): Adjustment[] {
  const adjustments: Adjustment[] = [];
  for (let step = LOOKBACK_PERIODS; step >= 1; step--) {
    const closed = shiftPeriod(period, step);
    const frozen = statements.get(closed);
    const settled = contractForPeriod(versions, closed);
    if (!frozen || !settled) continue;
    const listed = [...statements.values()]
      .filter((statement) => statement.period > closed && statement.period < period)
      .flatMap((statement) => statement.adjustments)
      .filter((adjustment) => adjustment.period === closed)
      .map((adjustment) => adjustment.counts);
    const baseline = sumCounters([frozen.counters, ...listed]);
    const adjustment = adjustmentFor(closed, settled.contract, baseline, periodCounters(months, closed));
    if (adjustment) adjustments.push(adjustment);
  }
  return adjustments;
}

interface ProviderBooks {
  versions: ContractVersion[];
  months: Map<string, KpiCounters>;
  statements: Map<string, StoredStatement>;
}

async function loadBooks(ctx: AppContext, providerId: string, period: string): Promise<ProviderBooks> {
  const first = monthsOfPeriod(shiftPeriod(period, LOOKBACK_PERIODS))[0]!;
  const last = monthsOfPeriod(period).at(-1)!;
  const [versions, months, statements] = await Promise.all([
    listContractVersions(ctx.table, providerId),
    readKpiMonths(ctx.table, providerId, first, last),
    listStatements(ctx.table, providerId),
  ]);
  return { versions, months, statements };
}

/** The scorecard of a period from a provider's books: frozen when closed, else live with its projection. */
function scorecardFromBooks(
  providerId: string,
  period: string,
  books: ProviderBooks,
  nowMs: number,
): Scorecard | undefined {
  const frozen = books.statements.get(period);
  if (frozen) return frozen.scorecard as unknown as Scorecard;
  const settled = contractForPeriod(books.versions, period);
  if (!settled) return undefined;
  if (periodKindOf(period) !== settled.contract.period) return undefined;
  const open = nowMs < settled.endMs;
  return scorecard({
    providerId,
    period,
    contract: settled.contract,
    counters: periodCounters(books.months, period),
    final: false,
    pace: open ? { startMs: settled.startMs, endMs: settled.endMs, nowMs } : undefined,
    adjustments: adjustmentsBefore(period, books.versions, books.months, books.statements),
  });
}

/** `GET /v1/providers/{id}/scorecard?period=`: 404 without a contract in the period, 400 for the wrong kind. */
export async function providerScorecard(
  ctx: AppContext,
  providerId: string,
  period: string,
): Promise<Scorecard> {
  const books = await loadBooks(ctx, providerId, period);
  if (!books.versions.length) throw notFound('contract');
  const settled = contractForPeriod(books.versions, period);
  if (!settled) throw notFound('a contract in force in that period');
  if (periodKindOf(period) !== settled.contract.period)
    throw new AppError('validation_error', `this contract is measured by ${settled.contract.period}`, [
      {
        path: 'period',
        message: `a ${settled.contract.period} such as ${periodOf(ctx.now(), settled.contract.timeZone, settled.contract.period)}`,
      },
    ]);
  return scorecardFromBooks(providerId, period, books, ctx.now())!;
}

/** `GET /v1/scorecards?period=`: every provider with a contract measured by that kind of period. */
export async function allScorecards(ctx: AppContext, period: string): Promise<{ items: Scorecard[] }> {
  const ids = await contractedProviderIds(ctx.table);
  const cards = await Promise.all(
    ids.map(async (id) => scorecardFromBooks(id, period, await loadBooks(ctx, id, period), ctx.now())),
  );
  return { items: cards.filter((card): card is Scorecard => !!card) };
}

export const scorecardsAsCsv = (cards: { items: Scorecard[] }) => scorecardsCsv(cards.items);

// ---- closing -------------------------------------------------------------------------------------

/**
 * Freezes every ended period of every contracted provider that has no statement yet (oldest first, so each
 * lists the late counts of the ones before). A statement is stored once; a second sweeper finds it. The
 * stream publishes `provider.scorecard_closed` when one is stored.
 */
export async function closeEndedPeriods(ctx: AppContext): Promise<{ closed: string[] }> {
  const closed: string[] = [];
  const nowMs = ctx.now();
  for (const providerId of await contractedProviderIds(ctx.table)) {
    const versions = await listContractVersions(ctx.table, providerId);
    const current = contractInForce(versions, nowMs) ?? versions.at(-1);
    if (!current) continue;
    const currentPeriod = periodOf(nowMs, current.timeZone, current.period);
    const firstStart = Math.min(...versions.map(effectiveFromMs));
    const statements = await listStatements(ctx.table, providerId);
    for (let step = LOOKBACK_PERIODS; step >= 1; step--) {
      const period = shiftPeriod(currentPeriod, step);
      const settled = contractForPeriod(versions, period);
      if (!settled || settled.endMs > nowMs || settled.endMs <= firstStart) continue;
      if (settled.contract.period !== periodKindOf(period)) continue;
      if (statements.has(period)) continue;
      const books = await loadBooks(ctx, providerId, period);
      const counters = periodCounters(books.months, period);
      const adjustments = adjustmentsBefore(period, books.versions, books.months, books.statements);
      const closedAt = new Date(nowMs).toISOString();
      const card = scorecard({
        providerId,
        period,
        contract: settled.contract,
        counters,
        final: true,
        adjustments,
        closedAt,
      });
      const stored = await putStatementOnce(ctx.table, {
        providerId,
        period,
        closedAt,
        counters,
        contractVersion: settled.contract.version,
        scorecard: card,
        adjustments,
      });
      if (stored) closed.push(`${providerId}:${period}`);
    }
  }
  return { closed };
}

// ---- routing ------------------------------------------------------------------------------------

/** What a provider's snapshot carries of its contract and QA feedback. */
export interface ContractSnapshotFields {
  contractPricing?: ContractPricing;
  measuredQuality?: { quality: number; source: QualitySource; samples: number };
}

/**
 * What routing reads of a provider's contract: every version (one may take effect later), its QA score
 * days, and the KPI counters of the minimum-volume period in force when read. A router keeps these and
 * derives the fields at any later instant (contractFieldsAt) while they stay current (contractReadingsCurrent).
 */
export interface ContractReadings {
  versions: ContractVersion[];
  qualityDays: QualityDay[];
  /** The period whose KPI months were read (the contract in force had a minimum volume), and those months. */
  minimumVolume?: { period: string; months: Map<string, KpiCounters> };
}

/** The first UTC day of the QA window at an instant. */
const qualityFromDay = (nowMs: number) =>
  new Date(nowMs - QUALITY_WINDOW_DAYS * 86_400_000).toISOString().slice(0, 10);

/** The period whose completions the pace to a minimum volume counts, at an instant (none without a minimum). */
function minimumVolumePeriod(versions: readonly ContractVersion[], nowMs: number): string | undefined {
  const contract = contractInForce(versions, nowMs);
  return contract?.minimumVolume ? periodOf(nowMs, contract.timeZone, contract.period) : undefined;
}

export async function readContractReadings(ctx: AppContext, providerId: string): Promise<ContractReadings> {
  const nowMs = ctx.now();
  const [versions, qualityDays] = await Promise.all([
    listContractVersions(ctx.table, providerId),
    readQualityDays(ctx.table, providerId, qualityFromDay(nowMs)),
  ]);
  const period = minimumVolumePeriod(versions, nowMs);
  if (period === undefined) return { versions, qualityDays };
  const months = monthsOfPeriod(period);
  const rows = await readKpiMonths(ctx.table, providerId, months[0]!, months.at(-1)!);
  return { versions, qualityDays, minimumVolume: { period, months: rows } };
}

/**
 * Whether readings taken earlier still give the fields at `nowMs`: the same minimum-volume period (a new
 * period, or a version with another period taking effect, needs its KPI months). Older QA days fall out of
 * the window by themselves.
 */
export const contractReadingsCurrent = (readings: ContractReadings, nowMs: number): boolean =>
  minimumVolumePeriod(readings.versions, nowMs) === readings.minimumVolume?.period;

/** The contract in force at `nowMs` (rate card, minimum-volume pace) and the measured quality, from readings. */
export function contractFieldsAt(
  provider: Provider,
  readings: ContractReadings,
  nowMs: number,
): ContractSnapshotFields {
  const fields: ContractSnapshotFields = {};
  const fromDay = qualityFromDay(nowMs);
  const days = readings.qualityDays.filter((day) => day.day >= fromDay);
  if (days.length) fields.measuredQuality = measuredQuality(provider.qualityScore, days, nowMs);
  const contract = contractInForce(readings.versions, nowMs);
  if (contract) {
    const kpi = readings.minimumVolume;
    const completed =
      contract.minimumVolume && kpi ? (periodCounters(kpi.months, kpi.period)[kpiCounter.completed] ?? 0) : 0;
    fields.contractPricing = contractPricing(contract, completed, nowMs);
  }
  return fields;
}

/** The contract in force now (rate card, minimum-volume pace) and the measured quality of a provider. */
export async function contractSnapshotFields(
  ctx: AppContext,
  provider: Provider,
): Promise<ContractSnapshotFields> {
  return contractFieldsAt(provider, await readContractReadings(ctx, provider.providerId), ctx.now());
}

/** The local month of an instant under a provider's contract then (for tests and tools). */
export const kpiMonthOf = (contract: ContractVersion, atMs: number) => monthOf(atMs, contract.timeZone);
