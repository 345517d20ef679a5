// The routing decision as it was before it was optimised for speed (commit 57d6715): the straightforward
// version, kept only as the oracle routing-equivalence.test.ts compares today's decideRoute with.
// Deliberately not tidied: it must stay what it was. It shares only the rules that did not change.
import {
  addOpenHours,
  type CalendarCache,
  type CompiledCalendar,
  openHoursBetween,
} from '../../shared/domain/calendar.js';
import { hardFilterReasons } from '../../shared/domain/hard-filters.js';
import type { DecisionInput, RoutingDecision } from '../../shared/domain/routing.js';
import { asQueuedWork, placementSettings, ROUTING_REASONS } from '../../shared/domain/routing.js';
import type { RoutingPolicy } from '../../shared/domain/schemas.js';
import { NEUTRAL_SHARE_FACTOR, routedForSkill, SHARE_GAIN } from '../../shared/domain/shares.js';
import type {
  Candidate,
  IneligibilityReason,
  ProviderSnapshot,
  ScoreFactors,
} from '../../shared/domain/types.js';
import {
  compareTiered,
  compareWork,
  type QueuedWork,
  type WorkOrderClock,
  workTier,
} from '../../shared/domain/work-order.js';

const HOUR_MS = 3_600_000;

interface SharePool {
  /** Target share of each pool member, normalised over the pool. */
  target: Map<string, number>;
  /** Actual share of the pool's routed volume for this skill. */
  actual: Map<string, number>;
  /** target × (routed + 1) − routed: how many tickets behind its target a member would be after this one. */
  deficit: Map<string, number>;
}

/** The pool: every provider that could take the skill (capacity aside) and declares a share. */
function sharePool(pool: readonly ProviderSnapshot[], skill: string): SharePool {
  const members = pool.filter((provider) => provider.allocationShare !== undefined);
  const targetTotal = members.reduce((sum, provider) => sum + (provider.allocationShare ?? 0), 0);
  const routedTotal = members.reduce((sum, provider) => sum + routedForSkill(provider, skill), 0);
  const shares: SharePool = { target: new Map(), actual: new Map(), deficit: new Map() };
  for (const provider of members) {
    const target = targetTotal > 0 ? (provider.allocationShare ?? 0) / targetTotal : 0;
    const routed = routedForSkill(provider, skill);
    shares.target.set(provider.providerId, target);
    shares.actual.set(provider.providerId, routedTotal > 0 ? routed / routedTotal : target);
    shares.deficit.set(provider.providerId, target * (routedTotal + 1) - routed);
  }
  return shares;
}

/** The score's share factor (explanation and a nudge between non-pool providers): 0.5 on target. */
function shareFactor(shares: SharePool, providerId: string): number {
  const target = shares.target.get(providerId);
  const actual = shares.actual.get(providerId);
  if (target === undefined || actual === undefined) return NEUTRAL_SHARE_FACTOR;
  return clamp01(NEUTRAL_SHARE_FACTOR + SHARE_GAIN * (target - actual));
}

interface Placement {
  completionMs: number | null;
  meanCompletionMs: number | null;
  workAhead: number;
  marginHours: number;
  displaces: number;
}

interface PlacementSettings {
  safetyMarginZ: number;
  lateAgingMs: number;
}

const serviceHours = (provider: Pick<ProviderSnapshot, 'throughputPerHour'>) =>
  1 / provider.throughputPerHour;

const inService = (provider: ProviderSnapshot) =>
  provider.queue ? Math.max(0, provider.openItems - provider.queue.length) : provider.openItems;

function hoursForItems(items: number, service: number, z: number): { mean: number; margin: number } {
  return { mean: items * service, margin: z * Math.sqrt(items) * service };
}

function workOrderClock(
  provider: ProviderSnapshot,
  calendar: CompiledCalendar,
  nowMs: number,
  lateAgingMs: number,
): WorkOrderClock {
  const finish = addOpenHours(calendar, nowMs, serviceHours(provider));
  return { nowMs, lateAgingMs, finishIfStartedNowMs: finish ?? Number.POSITIVE_INFINITY };
}

/** Where `ticket` would sit in the provider's work order, and when it would be done. */
function predictPlacement(
  provider: ProviderSnapshot,
  ticket: QueuedWork,
  calendar: CompiledCalendar,
  nowMs: number,
  settings: PlacementSettings,
  /** Off where only the ticket's own completion matters (sweeps, rebalancing): it costs a sort. */
  countDisplacement = true,
): Placement {
  const service = serviceHours(provider);
  const z = settings.safetyMarginZ;
  const clock = workOrderClock(provider, calendar, nowMs, settings.lateAgingMs);
  const behind: QueuedWork[] = [];
  let ahead = inService(provider);
  if (provider.queue) {
    const ticketTier = workTier(ticket, clock);
    for (const item of provider.queue) {
      if (item.ticketId === ticket.ticketId) continue;
      if (compareTiered(item, workTier(item, clock), ticket, ticketTier) < 0) ahead++;
      else behind.push(item);
    }
  }
  const { mean, margin } = hoursForItems(ahead + 1, service, z);
  const completionMs = addOpenHours(calendar, nowMs, mean + margin);
  const meanCompletionMs = addOpenHours(calendar, nowMs, mean);
  // Displacement only decides between providers where the ticket itself is on time.
  const onTime = completionMs !== null && completionMs <= ticket.dueMs;
  return {
    completionMs,
    meanCompletionMs,
    workAhead: ahead,
    marginHours: margin,
    displaces:
      countDisplacement && onTime && behind.length
        ? countDisplaced(behind, ahead + 1, service, z, calendar, nowMs, clock)
        : 0,
  };
}

/** Items behind, in work order, that are on time at their place now and late one place further back. */
function countDisplaced(
  behind: QueuedWork[],
  firstPlace: number,
  service: number,
  z: number,
  calendar: CompiledCalendar,
  nowMs: number,
  clock: WorkOrderClock,
): number {
  behind.sort((a, b) => compareWork(a, b, clock));
  let displaced = 0;
  for (let i = 0; i < behind.length; i++) {
    const item = behind[i]!;
    // Only items that can still be on time can be pushed late.
    if (item.dueMs < clock.finishIfStartedNowMs) continue;
    const place = firstPlace + i;
    const now = hoursForItems(place, service, z);
    const pushed = hoursForItems(place + 1, service, z);
    const before = addOpenHours(calendar, nowMs, now.mean + now.margin);
    if (before === null || before > item.dueMs) continue;
    const after = addOpenHours(calendar, nowMs, pushed.mean + pushed.margin);
    if (after === null || after > item.dueMs) displaced++;
  }
  return displaced;
}

/** Open hours left between the predicted completion and due at this provider (negative: late). */
function slackOpenHours(calendar: CompiledCalendar, completionMs: number, dueMs: number): number {
  return openHoursBetween(calendar, completionMs, dueMs) ?? (dueMs - completionMs) / HOUR_MS;
}

interface FeasibleProvider {
  provider: ProviderSnapshot;
  completionMs: number;
  slack: number;
}

interface ScoredProvider extends FeasibleProvider {
  factors: ScoreFactors;
  score: number;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** Share of the SLA window (in the provider's open hours) still left when it is predicted to finish. */
function slackFactor(slackOpenHours: number, windowOpenHours: number): number {
  return windowOpenHours > 0 ? clamp01(slackOpenHours / windowOpenHours) : 0;
}

/**
 * The cheapest feasible provider gets 1; the others lose the share of the
 * highest price that they cost above it. Measured against the price level,
 * not the min–max range, so a one-cent difference stays a one-cent difference
 * instead of the whole 0..1 span.
 */
function costFactors(feasible: readonly FeasibleProvider[]): number[] {
  const costs = feasible.map(({ provider }) => provider.costPerItem);
  const min = Math.min(...costs);
  const max = Math.max(...costs);
  return costs.map((cost) => (max > 0 ? 1 - (cost - min) / max : 1));
}

const loadFactor = (provider: ProviderSnapshot) =>
  provider.capacity > 0 ? clamp01((provider.capacity - provider.openItems) / provider.capacity) : 0;

function weightedScore(factors: ScoreFactors, weights: RoutingPolicy['weights']): number {
  const totalWeight = weights.slack + weights.cost + weights.quality + weights.share + weights.load;
  if (totalWeight === 0) return 0;
  const sum =
    weights.slack * factors.slack +
    weights.cost * factors.cost +
    weights.quality * factors.quality +
    weights.share * factors.share +
    weights.load * factors.load;
  return sum / totalWeight;
}

/** Scores in input order; ordering is the caller's. */
function scoreFeasible<T extends FeasibleProvider>(
  feasible: readonly T[],
  shares: SharePool,
  weights: RoutingPolicy['weights'],
): (T & ScoredProvider)[] {
  const costs = costFactors(feasible);
  return feasible.map((entry, i) => {
    const factors: ScoreFactors = {
      slack: entry.slack,
      cost: costs[i]!,
      quality: clamp01(entry.provider.qualityScore),
      share: shareFactor(shares, entry.provider.providerId),
      load: loadFactor(entry.provider),
    };
    return { ...entry, factors, score: weightedScore(factors, weights) };
  });
}

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
function tieBreak(ticketId: string, providerId: string): number {
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
export function decideRouteReference(input: DecisionInput): RoutingDecision {
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
