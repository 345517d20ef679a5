// The routing decision: which providers to try for one ticket, best first, and why. Pure: `now` is an input.
import type { CalendarCache, CompiledCalendar } from './calendar.js';
import { openHoursBetween } from './calendar.js';
import { hardFilterReasons } from './hard-filters.js';
import { type Placement, type PlacementSettings, predictPlacement, slackOpenHours } from './prediction.js';
import type { RoutingPolicy } from './schemas.js';
import { type ScoredProvider, scoreFeasible, slackFactor } from './scoring.js';
import { type SharePool, sharePool } from './shares.js';
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
});

interface Assessed {
  provider: ProviderSnapshot;
  calendar: CompiledCalendar;
  placement: Placement;
}

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
    return { provider, calendar, placement: predictPlacement(provider, work, calendar, nowMs, settings) };
  } catch {
    return null;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
const round3 = (x: number) => Math.round(x * 1000) / 1000;
const byProviderId = (a: { providerId: string }, b: { providerId: string }) =>
  a.providerId < b.providerId ? -1 : a.providerId > b.providerId ? 1 : 0;

/**
 * Equal scores break on a hash of ticket and provider: reproducible for a ticket, yet no provider wins
 * every tie because of where its id sorts.
 */
export function tieBreak(ticketId: string, providerId: string): number {
  let hash = 0x811c9dc5;
  const text = `${ticketId}\u0000${providerId}`;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

const roundFactors = (f: ScoreFactors): ScoreFactors => ({
  slack: round3(f.slack),
  cost: round3(f.cost),
  quality: round3(f.quality),
  share: round3(f.share),
  load: round3(f.load),
});

function placementFields(placement: Placement): Partial<Candidate> {
  return {
    ...(placement.completionMs === null ? {} : { predictedCompletionAt: iso(placement.completionMs) }),
    workAhead: placement.workAhead,
    marginMinutes: Math.round(placement.marginHours * 60),
    displaces: placement.displaces,
  };
}

/** A candidate as data; its explanation is only formatted if it makes the list (formatting costs most). */
interface Explained {
  providerId: string;
  eligible: boolean;
  reasons?: IneligibilityReason[];
  placement?: Placement;
  scored?: Ranked;
}

const refused = (providerId: string, reasons: IneligibilityReason[]): Explained => ({
  providerId,
  eligible: false,
  reasons,
});

const unplaced = (
  { provider, placement }: Assessed,
  eligible: boolean,
  reasons: IneligibilityReason[],
): Explained => ({ providerId: provider.providerId, eligible, reasons, placement });

function explain({ providerId, eligible, reasons, placement, scored }: Explained): Candidate {
  if (scored)
    return {
      providerId,
      eligible,
      ...placementFields(scored.placement),
      score: round3(scored.score),
      factors: roundFactors(scored.factors),
    };
  return { providerId, eligible, ...(placement ? placementFields(placement) : {}), reasons };
}

type Ranked = Assessed & ScoredProvider;

/**
 * Best first by score; then, when the best one takes part in an allocation split, the pool member of the
 * same tier furthest below its target goes first instead (the deficit controller).
 */
function rankTier(
  tier: Assessed[],
  work: QueuedWork,
  shares: SharePool,
  policy: RoutingPolicy,
): { ranked: Ranked[]; byShare: boolean } {
  const feasible = tier.map((entry) => {
    const completionMs = entry.placement.completionMs as number;
    const window = openHoursBetween(entry.calendar, work.createdMs, work.dueMs) ?? 0;
    const slack = slackFactor(slackOpenHours(entry.calendar, completionMs, work.dueMs), window);
    return { ...entry, completionMs, slack, tie: tieBreak(work.ticketId, entry.provider.providerId) };
  });
  const ranked = scoreFeasible(feasible, shares, policy.weights).sort(
    (a, b) => b.score - a.score || a.tie - b.tie,
  );
  const best = ranked[0];
  if (!best || !shares.deficit.has(best.provider.providerId)) return { ranked, byShare: false };
  let chosen = best;
  for (const entry of ranked) {
    const deficit = shares.deficit.get(entry.provider.providerId);
    if (deficit !== undefined && deficit > (shares.deficit.get(chosen.provider.providerId) as number))
      chosen = entry;
  }
  if (chosen === best) return { ranked, byShare: false };
  return { ranked: [chosen, ...ranked.filter((entry) => entry !== chosen)], byShare: true };
}

const eligibleCandidate = (entry: Ranked): Explained => ({
  providerId: entry.provider.providerId,
  eligible: true,
  scored: entry,
});

interface DecisionParts {
  outcome: RoutingDecision['outcome'];
  reason: string;
  eligible: Explained[];
  ineligible: Explained[];
  bestEffortLate?: boolean;
  lost?: boolean;
}

function decision(parts: DecisionParts, input: DecisionInput): RoutingDecision {
  const order = parts.eligible.map((candidate) => candidate.providerId);
  const limit = input.maxCandidates ?? Number.POSITIVE_INFINITY;
  const shown = parts.eligible.slice(0, limit);
  if (shown.length < limit) shown.push(...parts.ineligible.sort(byProviderId).slice(0, limit - shown.length));
  return {
    outcome: parts.outcome,
    order,
    bestEffortLate: parts.bestEffortLate ?? false,
    lost: parts.lost ?? false,
    explanation: {
      decidedAt: iso(input.nowMs),
      providerId: order[0] ?? null,
      reason: parts.reason,
      candidates: shown.map(explain),
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
  const ineligible: Explained[] = [];
  const clean: Assessed[] = [];
  const displacing: Assessed[] = [];
  const overflow: Assessed[] = [];
  const late: Assessed[] = [];
  const full: Assessed[] = [];
  const pool: ProviderSnapshot[] = [];

  for (const provider of providers) {
    const reasons = hardFilterReasons(provider, ticket);
    const onlyFull = reasons.length === 1 && reasons[0] === 'at_capacity';
    if (reasons.length > 0 && !onlyFull) {
      ineligible.push(refused(provider.providerId, reasons));
      continue;
    }
    const entry = assess(provider, work, calendars, nowMs, settings);
    if (!entry) {
      ineligible.push(refused(provider.providerId, ['invalid_configuration']));
      continue;
    }
    if (!provider.overflow) pool.push(provider);
    if (onlyFull) {
      full.push(entry);
      ineligible.push(unplaced(entry, false, ['at_capacity']));
    } else if (!meetsDue(entry, work.dueMs)) late.push(entry);
    else if (provider.overflow) overflow.push(entry);
    else if (entry.placement.displaces > 0) displacing.push(entry);
    else clean.push(entry);
  }

  const shares = sharePool(pool, ticket.skill);
  const tiers = [clean, displacing, overflow].filter((tier) => tier.length > 0);
  if (tiers.length > 0) {
    const ranked = tiers.map((tier) => rankTier(tier, work, shares, policy));
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
        eligible: ranked.flatMap((tier) => tier.ranked.map(eligibleCandidate)),
        ineligible: [...ineligible, ...late.map((entry) => unplaced(entry, false, ['cannot_meet_due']))],
      },
      input,
    );
  }

  const lost =
    late.length + full.length > 0 && ![...late, ...full].some((e) => couldStillMeetDue(e, work.dueMs));
  if (full.some((entry) => meetsDue(entry, work.dueMs))) {
    return decision(
      {
        outcome: 'park',
        reason: ROUTING_REASONS.waitingForSlot,
        eligible: [],
        ineligible: [...ineligible, ...late.map((entry) => unplaced(entry, false, ['cannot_meet_due']))],
      },
      input,
    );
  }
  // Late anyway: parking would not help, so the earliest finisher takes it.
  const finishing = late
    .filter((entry) => entry.placement.meanCompletionMs !== null)
    .map((entry) => ({ ...entry, tie: tieBreak(work.ticketId, entry.provider.providerId) }))
    .sort(
      (a, b) =>
        (a.placement.meanCompletionMs as number) - (b.placement.meanCompletionMs as number) || a.tie - b.tie,
    );
  const neverFinishing = late
    .filter((entry) => entry.placement.meanCompletionMs === null)
    .map((entry) => unplaced(entry, false, ['cannot_meet_due']));
  if (finishing.length > 0) {
    return decision(
      {
        outcome: 'route',
        reason: ROUTING_REASONS.bestEffortLate,
        eligible: finishing.map((entry) => unplaced(entry, true, ['cannot_meet_due'])),
        ineligible: [...ineligible, ...neverFinishing],
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
      ineligible: [...ineligible, ...neverFinishing],
      lost,
    },
    input,
  );
}
