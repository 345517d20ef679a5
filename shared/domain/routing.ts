// The routing decision: which providers to try for one ticket, best first, and why. Pure: `now` is an input.
import type { CalendarCache, CompiledCalendar } from './calendar.js';
import { openHoursBetween } from './calendar.js';
import { hardFilterReasons, hardFilterVerdict } from './hard-filters.js';
import { type Placement, type PlacementSettings, predictPlacement, slackOpenHours } from './prediction.js';
import type { RoutingPolicy } from './schemas.js';
import { type ScoredProvider, scoreFeasible, slackFactor } from './scoring.js';
import { type SharePool, sharePool } from './shares.js';
import { providersWithSkill } from './skill-index.js';
import type {
  Candidate,
  IneligibilityReason,
  ProviderSnapshot,
  RoutableTicket,
  RoutingExplanation,
  ScoreFactors,
} from './types.js';
import type { QueuedWork } from './work-order.js';

export interface DecisionInput {
  ticket: RoutableTicket;
  providers: ProviderSnapshot[];
  policy: RoutingPolicy;
  nowMs: number;
  calendars: CalendarCache;
  /**
   * The explanation lists at most this many candidates, eligible ones first (default: all). Formatting a
   * candidate costs more than deciding about it, and the router stores only the first few.
   */
  maxCandidates?: number;
}

export interface RoutingDecision {
  outcome: 'route' | 'park';
  /** Provider ids to try, best first (the router falls through when a reservation fails). */
  order: string[];
  bestEffortLate: boolean;
  /** No provider, full ones included, can meet the due any more: operations should escalate. */
  lost: boolean;
  explanation: RoutingExplanation;
}

export const ROUTING_REASONS = {
  bestScore: 'best score',
  allocationShare: 'allocation share',
  overflow: 'overflow',
  bestEffortLate: 'best_effort_late',
  waitingForSlot: 'waiting for a slot',
  noEligibleProvider: 'no eligible provider',
} as const;

/**
 * The minimum proficiency a parked ticket asks for now: one step lower per full relaxation interval it
 * has waited, never below 1. The caller applies it to the ticket before deciding.
 */
export function effectiveMinProficiency(
  requested: number,
  parkedAtMs: number | undefined,
  nowMs: number,
  relaxAfterSeconds: number,
): number {
  if (parkedAtMs === undefined || relaxAfterSeconds <= 0) return requested;
  const steps = Math.floor((nowMs - parkedAtMs) / (relaxAfterSeconds * 1000));
  return steps > 0 ? Math.max(1, requested - steps) : requested;
}

export function placementSettings(policy: RoutingPolicy): PlacementSettings {
  return {
    safetyMarginZ: policy.safetyMarginZ ?? 2,
    lateAgingMs: (policy.lateAgingSeconds ?? 14 * 86_400) * 1000,
  };
}

export const asQueuedWork = (ticket: RoutableTicket): QueuedWork => ({
  ticketId: ticket.ticketId,
  priority: ticket.priority,
  dueMs: Date.parse(ticket.dueAt),
  createdMs: Date.parse(ticket.createdAt),
  ...(ticket.effort !== undefined && ticket.effort > 1 ? { effort: ticket.effort } : {}),
});

/**
 * A provider past the hard filters with its prediction. One object per candidate all the way through: the
 * score fields are placeholders until it is ranked (only providers that can meet the due are).
 */
interface Assessed extends ScoredProvider {
  calendar: CompiledCalendar;
  placement: Placement;
  /** tieBreak's hash, computed only when two scores are equal (-1: not yet). */
  tie: number;
}

const UNSCORED: ScoreFactors = { slack: 0, cost: 0, quality: 0, share: 0, load: 0 };

/** The provider's prediction, or null when its configuration makes the maths fail (it is skipped, never fatal). */
function assess(
  provider: ProviderSnapshot,
  work: QueuedWork,
  calendars: CalendarCache,
  nowMs: number,
  settings: PlacementSettings,
): Assessed | null {
  if (!(provider.throughputPerHour > 0) || !Number.isFinite(provider.throughputPerHour)) return null;
  try {
    const calendar = calendars.get(provider, nowMs);
    const placement = predictPlacement(provider, work, calendar, nowMs, settings);
    return { provider, calendar, placement, completionMs: 0, slack: 0, factors: UNSCORED, score: 0, tie: -1 };
  } catch {
    return null;
  }
}

const DAY_MS = 86_400_000;
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
/** Years 1970 to 9999: the instants the short form below covers. */
const LAST_PLAIN_YEAR_MS = Date.UTC(10_000, 0, 1);
/** "YYYY-MM-DDT" per day since 1970 (a decision's instants fall on a few days, and days repeat for weeks). */
const isoDates = new Map<number, string>();

function isoDate(day: number): string {
  let date = isoDates.get(day);
  if (date === undefined) {
    if (isoDates.size >= 4096) isoDates.clear();
    date = new Date(day * DAY_MS).toISOString().slice(0, 11);
    isoDates.set(day, date);
  }
  return date;
}

/**
 * `new Date(ms).toISOString()`, many times faster: a candidate's explanation formats one instant, which
 * was most of what a decision at 100 providers cost.
 */
export function isoInstant(ms: number): string {
  if (!(ms >= 0 && ms < LAST_PLAIN_YEAR_MS)) return new Date(ms).toISOString();
  const whole = Math.floor(ms); // a Date drops the fraction of a millisecond
  const day = Math.floor(whole / DAY_MS);
  let rest = whole - day * DAY_MS;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return `${isoDate(day)}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[rest - seconds * 1000]}Z`;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

const FNV_OFFSET = 0x811c9dc5;
const fnv1a = (hash: number, text: string) => {
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash;
};

/**
 * Equal scores break on a hash of ticket and provider: reproducible for a ticket, yet no provider wins
 * every tie because of where its id sorts.
 */
export function tieBreak(ticketId: string, providerId: string): number {
  return fnv1a(fnv1a(FNV_OFFSET, `${ticketId}\u0000`), providerId) >>> 0;
}

/** tieBreak for one ticket and many providers: the ticket's part of the hash is taken once. */
function tieBreaker(ticketId: string): (entry: Assessed) => number {
  const seed = fnv1a(FNV_OFFSET, `${ticketId}\u0000`);
  return (entry) => {
    if (entry.tie < 0) entry.tie = fnv1a(seed, entry.provider.providerId) >>> 0;
    return entry.tie;
  };
}

const roundFactors = (f: ScoreFactors): ScoreFactors => ({
  slack: round3(f.slack),
  cost: round3(f.cost),
  quality: round3(f.quality),
  share: round3(f.share),
  load: round3(f.load),
});

/**
 * A candidate that is not ranked, as data. `reason` is the one that put it out; without one it failed the
 * hard filters, whose reasons are listed only if it makes the explanation (formatting costs most).
 */
interface Unranked {
  provider: ProviderSnapshot;
  eligible: boolean;
  reason?: IneligibilityReason;
  placement?: Placement;
}

type Listed = Assessed | Unranked;
const isRanked = (entry: Listed): entry is Assessed => 'score' in entry;

const filteredOut = (provider: ProviderSnapshot): Unranked => ({ provider, eligible: false });

const unplaced = (
  { provider, placement }: Assessed,
  eligible: boolean,
  reason: IneligibilityReason,
): Unranked => ({ provider, eligible, reason, placement });

/** The stored form, keys in a fixed order: id, eligibility, prediction, then score or reasons. */
function explain(entry: Listed, ticket: RoutableTicket): Candidate {
  if (isRanked(entry)) return explainRanked(entry);
  const candidate: Candidate = { providerId: entry.provider.providerId, eligible: entry.eligible };
  const { placement } = entry;
  if (placement) {
    if (placement.completionMs !== null) candidate.predictedCompletionAt = isoInstant(placement.completionMs);
    candidate.workAhead = placement.workAhead;
    candidate.marginMinutes = Math.round(placement.marginHours * 60);
    candidate.displaces = placement.displaces;
  }
  candidate.reasons = entry.reason ? [entry.reason] : hardFilterReasons(entry.provider, ticket);
  return candidate;
}

/** A ranked candidate in one literal (same keys, same order): it can meet the due, so it has a completion. */
function explainRanked(entry: Assessed): Candidate {
  const { placement } = entry;
  const candidate: Candidate = {
    providerId: entry.provider.providerId,
    eligible: true,
    predictedCompletionAt: isoInstant(entry.completionMs),
    workAhead: placement.workAhead,
    marginMinutes: Math.round(placement.marginHours * 60),
    displaces: placement.displaces,
    score: round3(entry.score),
    factors: roundFactors(entry.factors),
  };
  // Issue 10: what the cost factor priced, and where the quality factor came from.
  if (entry.costBasis) candidate.costBasis = { ...entry.costBasis, cost: round3(entry.costBasis.cost) };
  if (entry.provider.measuredQuality) candidate.qualitySource = entry.provider.measuredQuality.source;
  return candidate;
}

/**
 * Best score first, equal scores by tie-break: a stable merge sort with the comparison written in, several
 * times faster than Array#sort calling a comparator (at 1,000 providers this sort was a tenth of a decision).
 * A NaN score makes the comparison inconsistent, where only Array#sort itself gives Array#sort's order.
 */
function byScore(entries: Assessed[], tieOf: (entry: Assessed) => number): Assessed[] {
  if (entries.some((entry) => Number.isNaN(entry.score)))
    return entries.sort((a, b) => b.score - a.score || tieOf(a) - tieOf(b));
  const before = (a: Assessed, b: Assessed) =>
    a.score > b.score || (a.score === b.score && tieOf(a) < tieOf(b));
  let from = entries;
  let to = new Array<Assessed>(entries.length);
  for (let width = 1; width < entries.length; width *= 2) {
    for (let start = 0; start < entries.length; start += 2 * width) {
      const middle = Math.min(start + width, entries.length);
      const end = Math.min(start + 2 * width, entries.length);
      let left = start;
      let right = middle;
      // Stable: the left run wins unless the right entry goes strictly before it.
      for (let at = start; at < end; at++)
        to[at] =
          right < end && (left >= middle || before(from[right]!, from[left]!))
            ? from[right++]!
            : from[left++]!;
    }
    [from, to] = [to, from];
  }
  return from;
}

/**
 * Best first by score; then, when the best one takes part in an allocation split, the pool member of the
 * same tier furthest below its target goes first instead (the deficit controller).
 */
function rankTier(
  tier: Assessed[],
  work: QueuedWork,
  shares: SharePool,
  policy: RoutingPolicy,
  tieOf: (entry: Assessed) => number,
  ticket: RoutableTicket,
): { ranked: Assessed[]; byShare: boolean } {
  for (const entry of tier) {
    const completionMs = entry.placement.completionMs as number;
    const window = openHoursBetween(entry.calendar, work.createdMs, work.dueMs) ?? 0;
    entry.completionMs = completionMs;
    entry.slack = slackFactor(slackOpenHours(entry.calendar, completionMs, work.dueMs), window);
  }
  scoreFeasible(tier, shares, policy.weights, ticket);
  const ranked = byScore(tier, tieOf);
  const best = ranked[0];
  const bestStanding = best && shares.get(best.provider.providerId);
  if (!best || !bestStanding) return { ranked, byShare: false };
  let chosen = best;
  let chosenDeficit = bestStanding.deficit;
  for (const entry of ranked) {
    const standing = shares.get(entry.provider.providerId);
    if (standing !== undefined && standing.deficit > chosenDeficit) {
      chosen = entry;
      chosenDeficit = standing.deficit;
    }
  }
  if (chosen === best) return { ranked, byShare: false };
  return { ranked: [chosen, ...ranked.filter((entry) => entry !== chosen)], byShare: true };
}

/** Who was out, in the order they were found: providers in input order, then the late ones. */
interface Ineligible {
  /** Ruled out while looking at the providers that have the skill, in provider order. */
  found: Unranked[];
  /** Ruled out afterwards because they cannot meet the due (made into entries only if listed). */
  late: Assessed[];
}

interface DecisionParts {
  outcome: RoutingDecision['outcome'];
  reason: string;
  eligible: Listed[];
  ineligible: Ineligible;
  bestEffortLate?: boolean;
  lost?: boolean;
}

/**
 * The first `count` entries by provider id, kept while they are offered: what a stable sort of all of them
 * would start with (equal ids keep the order they came in), without sorting or even making them all.
 */
class FirstById {
  readonly entries: Listed[] = [];
  readonly #count: number;

  constructor(count: number) {
    this.#count = count;
  }

  /** Whether an entry with this id would make the list. */
  wants(providerId: string): boolean {
    const { entries } = this;
    return entries.length < this.#count || providerId < entries[entries.length - 1]!.provider.providerId;
  }

  add(entry: Listed): void {
    const { entries } = this;
    const id = entry.provider.providerId;
    // After every entry with an id up to this one.
    let low = 0;
    let high = entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (entries[mid]!.provider.providerId <= id) low = mid + 1;
      else high = mid;
    }
    entries.splice(low, 0, entry);
    if (entries.length > this.#count) entries.pop();
  }
}

/**
 * The first `count` ineligible providers by id, in the order the decision met them (providers in input
 * order, then the late ones). Those without the ticket's skill were skipped unseen: they are put back in
 * their places here, and made into entries only if they make the list.
 */
function firstIneligible(
  providers: readonly ProviderSnapshot[],
  skill: string,
  ineligible: Ineligible,
  count: number,
): Listed[] {
  const first = new FirstById(count);
  const holders = providersWithSkill(providers, skill);
  let holder = 0;
  let next = 0;
  for (const provider of providers) {
    // Both lists are in input order: a provider is the next holder, or it lacks the skill.
    const hasSkill = holders[holder] === provider;
    if (hasSkill) holder++;
    const found = ineligible.found[next];
    if (found?.provider === provider) {
      next++;
      if (first.wants(provider.providerId)) first.add(found);
    } else if (!hasSkill && first.wants(provider.providerId)) {
      first.add(filteredOut(provider));
    }
  }
  for (const entry of ineligible.late)
    if (first.wants(entry.provider.providerId)) first.add(unplaced(entry, false, 'cannot_meet_due'));
  return first.entries;
}

function decision(parts: DecisionParts, input: DecisionInput): RoutingDecision {
  const order = parts.eligible.map((candidate) => candidate.provider.providerId);
  const limit = input.maxCandidates ?? Number.POSITIVE_INFINITY;
  const shown = parts.eligible.slice(0, limit);
  if (shown.length < limit) {
    shown.push(
      ...firstIneligible(input.providers, input.ticket.skill, parts.ineligible, limit - shown.length),
    );
  }
  return {
    outcome: parts.outcome,
    order,
    bestEffortLate: parts.bestEffortLate ?? false,
    lost: parts.lost ?? false,
    explanation: {
      decidedAt: isoInstant(input.nowMs),
      providerId: order[0] ?? null,
      reason: parts.reason,
      candidates: shown.map((entry) => explain(entry, input.ticket)),
    },
  };
}

const meetsDue = (entry: Assessed, dueMs: number) =>
  entry.placement.completionMs !== null && entry.placement.completionMs <= dueMs;
const couldStillMeetDue = (entry: Assessed, dueMs: number) =>
  entry.placement.meanCompletionMs !== null && entry.placement.meanCompletionMs <= dueMs;

/**
 * Tiers, best first: on time with margin and pushing nobody late; on time but displacing queued work;
 * overflow providers on time. Nobody with room on time: wait for a full provider that would be (a slot
 * frees soon), else go late to the earliest finisher, flagged; `lost` once nobody can meet the due at all.
 */
export function decideRoute(input: DecisionInput): RoutingDecision {
  const { ticket, providers, policy, nowMs, calendars } = input;
  const settings = placementSettings(policy);
  const work = asQueuedWork(ticket);
  const found: Unranked[] = [];
  const clean: Assessed[] = [];
  const displacing: Assessed[] = [];
  const overflow: Assessed[] = [];
  const late: Assessed[] = [];
  const full: Assessed[] = [];
  const pool: ProviderSnapshot[] = [];

  // Without the skill a provider is out whatever else holds: it is looked at again only if the
  // explanation lists it (at 1,000 providers most are such, and most are never listed).
  for (const provider of providersWithSkill(providers, ticket.skill)) {
    const verdict = hardFilterVerdict(provider, ticket);
    if (verdict === 'refused') {
      found.push(filteredOut(provider));
      continue;
    }
    const entry = assess(provider, work, calendars, nowMs, settings);
    if (!entry) {
      found.push({ provider, eligible: false, reason: 'invalid_configuration' });
      continue;
    }
    if (!provider.overflow) pool.push(provider);
    if (verdict === 'full') {
      full.push(entry);
      found.push(unplaced(entry, false, 'at_capacity'));
    } else if (!meetsDue(entry, work.dueMs)) late.push(entry);
    else if (provider.overflow) overflow.push(entry);
    else if (entry.placement.displaces > 0) displacing.push(entry);
    else clean.push(entry);
  }

  const shares = sharePool(pool, ticket.skill);
  const tieOf = tieBreaker(work.ticketId);
  const tiers = [clean, displacing, overflow].filter((tier) => tier.length > 0);
  if (tiers.length > 0) {
    const ranked = tiers.map((tier) => rankTier(tier, work, shares, policy, tieOf, ticket));
    const reason =
      tiers[0] === overflow
        ? ROUTING_REASONS.overflow
        : ranked[0]?.byShare
          ? ROUTING_REASONS.allocationShare
          : ROUTING_REASONS.bestScore;
    return decision(
      {
        outcome: 'route',
        reason,
        eligible: ranked.flatMap((tier) => tier.ranked),
        ineligible: { found, late },
      },
      input,
    );
  }

  const lost =
    late.length + full.length > 0 &&
    !late.some((e) => couldStillMeetDue(e, work.dueMs)) &&
    !full.some((e) => couldStillMeetDue(e, work.dueMs));
  if (full.some((entry) => meetsDue(entry, work.dueMs))) {
    return decision(
      {
        outcome: 'park',
        reason: ROUTING_REASONS.waitingForSlot,
        eligible: [],
        ineligible: { found, late },
      },
      input,
    );
  }
  // Late anyway: parking would not help, so the earliest finisher takes it.
  const finishing = late
    .filter((entry) => entry.placement.meanCompletionMs !== null)
    .sort(
      (a, b) =>
        (a.placement.meanCompletionMs as number) - (b.placement.meanCompletionMs as number) ||
        tieOf(a) - tieOf(b),
    );
  const neverFinishing = late.filter((entry) => entry.placement.meanCompletionMs === null);
  if (finishing.length > 0) {
    return decision(
      {
        outcome: 'route',
        reason: ROUTING_REASONS.bestEffortLate,
        eligible: finishing.map((entry) => unplaced(entry, true, 'cannot_meet_due')),
        ineligible: { found, late: neverFinishing },
        bestEffortLate: true,
        lost,
      },
      input,
    );
  }
  return decision(
    {
      outcome: 'park',
      reason: ROUTING_REASONS.noEligibleProvider,
      eligible: [],
      ineligible: { found, late: neverFinishing },
      lost,
    },
    input,
  );
}
