// The routing decision: which providers to try for one ticket, best first, and why. Pure: `now` is an input.
import type { CalendarCache, CalendarSlot, CompiledCalendar } from './calendar.js';
import { openHoursBetween } from './calendar.js';
import { hardFilterReasons, ticketClearanceRank, verdictWith } from './hard-filters.js';
import { type Placement, type PlacementSettings, predictPlacement, slackOpenHours } from './prediction.js';
import type { RoutingPolicy } from './schemas.js';
import { type ScoredProvider, scoreFeasible, slackFactor } from './scoring.js';
import type { ShareStandings } from './shares.js';
import { type ProviderIndex, providerIndex, type SkillHolders } from './skill-index.js';
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
  /** Its place among the providers with the ticket's skill. */
  holder: number;
  /** Its id's number in the provider index (for the share standings). */
  id: number;
  calendar: CompiledCalendar;
  placement: Placement;
  /** tieBreak's hash, computed only when two scores are equal (-1: not yet). */
  tie: number;
}

/** The provider's prediction, or null when its configuration makes the maths fail (it is skipped, never fatal). */
function assess(
  provider: ProviderSnapshot,
  holder: number,
  id: number,
  calendarSlot: CalendarSlot,
  work: QueuedWork,
  calendars: CalendarCache,
  nowMs: number,
  settings: PlacementSettings,
): Assessed | null {
  if (!(provider.throughputPerHour > 0) || !Number.isFinite(provider.throughputPerHour)) return null;
  try {
    const calendar = calendars.getRemembered(provider, nowMs, calendarSlot);
    const placement = predictPlacement(provider, work, calendar, nowMs, settings);
    return {
      provider,
      holder,
      id,
      calendar,
      placement,
      completionMs: 0,
      slack: 0,
      share: 0,
      cost: 0,
      quality: 0,
      load: 0,
      score: 0,
      costBasis: undefined,
      tie: -1,
    };
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

/** tieBreak's hash with the ticket's part of it (tieSeed) taken once per decision. */
const tieSeed = (ticketId: string) => fnv1a(FNV_OFFSET, `${ticketId}\u0000`);

function tieOf(entry: Assessed, seed: number): number {
  if (entry.tie < 0) entry.tie = fnv1a(seed, entry.provider.providerId) >>> 0;
  return entry.tie;
}

const roundedFactors = (entry: Assessed): ScoreFactors => ({
  slack: round3(entry.slack),
  cost: round3(entry.cost),
  quality: round3(entry.quality),
  share: round3(entry.share),
  load: round3(entry.load),
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
    factors: roundedFactors(entry),
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
function byScore(entries: Assessed[], seed: number): Assessed[] {
  if (entries.some((entry) => Number.isNaN(entry.score)))
    return entries.sort((a, b) => b.score - a.score || tieOf(a, seed) - tieOf(b, seed));
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
          right < end && (left >= middle || goesBefore(from[right]!, from[left]!, seed))
            ? from[right++]!
            : from[left++]!;
    }
    [from, to] = [to, from];
  }
  return from;
}

const goesBefore = (a: Assessed, b: Assessed, seed: number) =>
  a.score > b.score || (a.score === b.score && tieOf(a, seed) < tieOf(b, seed));

/**
 * Best first by score; then, when the best one takes part in an allocation split, the pool member of the
 * same tier furthest below its target goes first instead (the deficit controller).
 */
function rankTier(
  tier: Assessed[],
  work: QueuedWork,
  shares: ShareStandings,
  policy: RoutingPolicy,
  seed: number,
  ticket: RoutableTicket,
): { ranked: Assessed[]; byShare: boolean } {
  for (const entry of tier) {
    const completionMs = entry.placement.completionMs as number;
    const window = openHoursBetween(entry.calendar, work.createdMs, work.dueMs) ?? 0;
    entry.completionMs = completionMs;
    entry.slack = slackFactor(slackOpenHours(entry.calendar, completionMs, work.dueMs), window);
    entry.share = shares.factor(entry.id);
  }
  scoreFeasible(tier, policy.weights, ticket);
  const ranked = byScore(tier, seed);
  const best = ranked[0];
  if (!best || !shares.has(best.id)) return { ranked, byShare: false };
  let chosen = best;
  let chosenDeficit = shares.deficit[best.id]!;
  for (const entry of ranked) {
    if (shares.has(entry.id) && shares.deficit[entry.id]! > chosenDeficit) {
      chosen = entry;
      chosenDeficit = shares.deficit[entry.id]!;
    }
  }
  if (chosen === best) return { ranked, byShare: false };
  return { ranked: [chosen, ...ranked.filter((entry) => entry !== chosen)], byShare: true };
}

/** How each provider with the ticket's skill came out of the first look (HolderOutcomes.status). */
const REFUSED = 1;
const INVALID = 2;
const FULL = 3;
const LATE = 4;
/** In a tier, or routed to late anyway: listed among the eligible. */
const TAKEN = 5;

/** What the first look found per provider with the skill: the explanation lists the ineligible from it. */
interface HolderOutcomes {
  index: ProviderIndex;
  holders: SkillHolders;
  status: Uint8Array;
  /** The assessed entry of each holder that passed the hard filters and could be predicted. */
  assessed: (Assessed | undefined)[];
}

interface DecisionParts {
  outcome: RoutingDecision['outcome'];
  reason: string;
  eligible: Listed[];
  bestEffortLate?: boolean;
  lost?: boolean;
}

/**
 * An ineligible provider's entry, or undefined if it is not one (or is listed in the other pass): those
 * found out while looking at the providers (`late` false), or those that cannot meet the due (`late`).
 */
function ineligibleAt(position: number, late: boolean, outcomes: HolderOutcomes): Listed | undefined {
  const holder = outcomes.holders.holderAt[position]!;
  if (holder < 0) return late ? undefined : filteredOut(outcomes.index.providers[position]!);
  const status = outcomes.status[holder];
  if (late)
    return status === LATE ? unplaced(outcomes.assessed[holder]!, false, 'cannot_meet_due') : undefined;
  if (status === REFUSED) return filteredOut(outcomes.holders.providers[holder]!);
  if (status === INVALID)
    return {
      provider: outcomes.holders.providers[holder]!,
      eligible: false,
      reason: 'invalid_configuration',
    };
  if (status === FULL) return unplaced(outcomes.assessed[holder]!, false, 'at_capacity');
  return undefined;
}

/**
 * The first `count` ineligible providers by id; equal ids in the order the decision met them (providers in
 * input order, then the late ones). Walks the index's order by id, so only the entries listed are made.
 */
function firstIneligible(outcomes: HolderOutcomes, count: number): Listed[] {
  // A fractional count keeps as many as it would have whole entries for.
  const wanted = Math.floor(count);
  const byId = outcomes.index.positionsById();
  const runEnds = outcomes.index.idRunEnds();
  const listed: Listed[] = [];
  for (let run = 0; run < byId.length && listed.length < wanted; run = runEnds[run]!) {
    for (const late of [false, true]) {
      for (let k = run; k < runEnds[run]! && listed.length < wanted; k++) {
        const entry = ineligibleAt(byId[k]!, late, outcomes);
        if (entry) listed.push(entry);
      }
    }
  }
  return listed;
}

function decision(parts: DecisionParts, outcomes: HolderOutcomes, input: DecisionInput): RoutingDecision {
  const order = parts.eligible.map((candidate) => candidate.provider.providerId);
  const limit = input.maxCandidates ?? Number.POSITIVE_INFINITY;
  const shown = parts.eligible.slice(0, limit);
  if (shown.length < limit) shown.push(...firstIneligible(outcomes, limit - shown.length));
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
  const index = providerIndex(providers);
  // Without the skill a provider is out whatever else holds: it is looked at again only if the
  // explanation lists it (at 1,000 providers most are such, and most are never listed).
  const holders = index.withSkill(ticket.skill);
  const idNumbers = index.idNumbers();
  const clearanceNeeded = ticketClearanceRank(ticket);
  const count = holders.providers.length;
  const outcomes: HolderOutcomes = {
    index,
    holders,
    status: new Uint8Array(count),
    assessed: new Array<Assessed | undefined>(count),
  };
  const { status, assessed } = outcomes;
  const clean: Assessed[] = [];
  const displacing: Assessed[] = [];
  const overflow: Assessed[] = [];
  const late: Assessed[] = [];
  const full: Assessed[] = [];
  // The allocation pool: every provider that could take the skill (capacity aside), with its id's number.
  const pool: ProviderSnapshot[] = [];
  const poolIds: number[] = [];

  for (let holder = 0; holder < count; holder++) {
    const provider = holders.providers[holder]!;
    const position = holders.positions[holder]!;
    const verdict = verdictWith(provider, holders.proficiency[holder], ticket, clearanceNeeded);
    if (verdict === 'refused') {
      status[holder] = REFUSED;
      continue;
    }
    const slot = index.calendarSlots[position]!;
    const entry = assess(provider, holder, idNumbers[position]!, slot, work, calendars, nowMs, settings);
    if (!entry) {
      status[holder] = INVALID;
      continue;
    }
    assessed[holder] = entry;
    if (!provider.overflow) {
      pool.push(provider);
      poolIds.push(entry.id);
    }
    if (verdict === 'full') {
      status[holder] = FULL;
      full.push(entry);
      continue;
    }
    if (!meetsDue(entry, work.dueMs)) {
      status[holder] = LATE;
      late.push(entry);
      continue;
    }
    status[holder] = TAKEN;
    if (provider.overflow) overflow.push(entry);
    else if (entry.placement.displaces > 0) displacing.push(entry);
    else clean.push(entry);
  }

  const seed = tieSeed(work.ticketId);
  const tiers = [clean, displacing, overflow].filter((tier) => tier.length > 0);
  if (tiers.length > 0) {
    const shares = index.shareStandings();
    shares.fill(pool, poolIds, ticket.skill);
    const ranked = tiers.map((tier) => rankTier(tier, work, shares, policy, seed, ticket));
    const reason =
      tiers[0] === overflow
        ? ROUTING_REASONS.overflow
        : ranked[0]?.byShare
          ? ROUTING_REASONS.allocationShare
          : ROUTING_REASONS.bestScore;
    return decision(
      { outcome: 'route', reason, eligible: ranked.flatMap((tier) => tier.ranked) },
      outcomes,
      input,
    );
  }

  const lost =
    late.length + full.length > 0 &&
    !late.some((e) => couldStillMeetDue(e, work.dueMs)) &&
    !full.some((e) => couldStillMeetDue(e, work.dueMs));
  if (full.some((entry) => meetsDue(entry, work.dueMs))) {
    return decision(
      { outcome: 'park', reason: ROUTING_REASONS.waitingForSlot, eligible: [] },
      outcomes,
      input,
    );
  }
  // Late anyway: parking would not help, so the earliest finisher takes it.
  const finishing = late
    .filter((entry) => entry.placement.meanCompletionMs !== null)
    .sort(
      (a, b) =>
        (a.placement.meanCompletionMs as number) - (b.placement.meanCompletionMs as number) ||
        tieOf(a, seed) - tieOf(b, seed),
    );
  if (finishing.length > 0) {
    for (const entry of finishing) status[entry.holder] = TAKEN;
    return decision(
      {
        outcome: 'route',
        reason: ROUTING_REASONS.bestEffortLate,
        eligible: finishing.map((entry) => unplaced(entry, true, 'cannot_meet_due')),
        bestEffortLate: true,
        lost,
      },
      outcomes,
      input,
    );
  }
  return decision(
    { outcome: 'park', reason: ROUTING_REASONS.noEligibleProvider, eligible: [], lost },
    outcomes,
    input,
  );
}
