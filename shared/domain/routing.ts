// The routing decision: which providers to try for one ticket, best first, and why. Pure: `now` is an input.
import { addOpenHours, type CalendarCache } from './calendar.js';
import { hardFilterReasons } from './hard-filters.js';
import type { RoutingPolicy } from './schemas.js';
import { type FeasibleProvider, type ScoredProvider, scoreFeasible } from './scoring.js';
import type {
  Candidate,
  ProviderSnapshot,
  RoutableTicket,
  RoutingExplanation,
  ScoreFactors,
} from './types.js';

export interface DecisionInput {
  ticket: RoutableTicket;
  providers: ProviderSnapshot[];
  policy: RoutingPolicy;
  nowMs: number;
  calendars: CalendarCache;
}

export interface RoutingDecision {
  outcome: 'route' | 'park';
  /** Provider ids to try, best first (the router falls through when a reservation fails). */
  order: string[];
  bestEffortLate: boolean;
  explanation: RoutingExplanation;
}

export const ROUTING_REASONS = {
  bestScore: 'best score',
  bestEffortLate: 'best_effort_late',
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

/** When a new item would be done: after its backlog and itself, at its throughput, in open hours only. */
export function predictCompletionMs(
  provider: ProviderSnapshot,
  calendars: CalendarCache,
  nowMs: number,
): number | null {
  const openHoursNeeded = (provider.openItems + 1) / provider.throughputPerHour;
  return addOpenHours(calendars.get(provider, nowMs), nowMs, openHoursNeeded);
}

interface PassingProvider {
  provider: ProviderSnapshot;
  completionMs: number | null;
}

const iso = (ms: number) => new Date(ms).toISOString();
const round3 = (x: number) => Math.round(x * 1000) / 1000;
const byProviderId = (a: { providerId: string }, b: { providerId: string }) =>
  a.providerId < b.providerId ? -1 : a.providerId > b.providerId ? 1 : 0;

const roundFactors = (f: ScoreFactors): ScoreFactors => ({
  slack: round3(f.slack),
  cost: round3(f.cost),
  quality: round3(f.quality),
  share: round3(f.share),
  load: round3(f.load),
});

function cannotMeetDue({ provider, completionMs }: PassingProvider, eligible: boolean): Candidate {
  return completionMs === null
    ? { providerId: provider.providerId, eligible, reasons: ['cannot_meet_due'] }
    : {
        providerId: provider.providerId,
        eligible,
        predictedCompletionAt: iso(completionMs),
        reasons: ['cannot_meet_due'],
      };
}

function decision(
  outcome: RoutingDecision['outcome'],
  reason: string,
  eligible: Candidate[],
  ineligible: Candidate[],
  nowMs: number,
  bestEffortLate = false,
): RoutingDecision {
  const order = eligible.map((candidate) => candidate.providerId);
  return {
    outcome,
    order,
    bestEffortLate,
    explanation: {
      decidedAt: iso(nowMs),
      providerId: order[0] ?? null,
      reason,
      candidates: [...eligible, ...ineligible.sort(byProviderId)],
    },
  };
}

function byScoreThenId(a: ScoredProvider, b: ScoredProvider): number {
  return b.score - a.score || byProviderId(a.provider, b.provider);
}

export function decideRoute(input: DecisionInput): RoutingDecision {
  const { ticket, providers, policy, nowMs, calendars } = input;
  const dueMs = Date.parse(ticket.dueAt);
  const ineligible: Candidate[] = [];
  const feasible: FeasibleProvider[] = [];
  const late: PassingProvider[] = [];

  for (const provider of providers) {
    const reasons = hardFilterReasons(provider, ticket);
    if (reasons.length > 0) {
      ineligible.push({ providerId: provider.providerId, eligible: false, reasons });
      continue;
    }
    const completionMs = predictCompletionMs(provider, calendars, nowMs);
    if (completionMs !== null && completionMs <= dueMs) feasible.push({ provider, completionMs });
    else late.push({ provider, completionMs });
  }

  if (feasible.length > 0) {
    const ranked = scoreFeasible(
      feasible,
      { createdMs: Date.parse(ticket.createdAt), dueMs },
      policy.weights,
    ).sort(byScoreThenId);
    const eligible = ranked.map(({ provider, completionMs, score, factors }): Candidate => ({
      providerId: provider.providerId,
      eligible: true,
      predictedCompletionAt: iso(completionMs),
      score: round3(score),
      factors: roundFactors(factors),
    }));
    return decision(
      'route',
      ROUTING_REASONS.bestScore,
      eligible,
      [...ineligible, ...late.map((p) => cannotMeetDue(p, false))],
      nowMs,
    );
  }

  // Late anyway: parking would not help, so the earliest finisher takes it.
  const finishing = late
    .filter((p): p is { provider: ProviderSnapshot; completionMs: number } => p.completionMs !== null)
    .sort((a, b) => a.completionMs - b.completionMs || byProviderId(a.provider, b.provider));
  const neverFinishing = late.filter((p) => p.completionMs === null).map((p) => cannotMeetDue(p, false));
  if (finishing.length > 0) {
    const eligible = finishing.map((p) => cannotMeetDue(p, true));
    return decision(
      'route',
      ROUTING_REASONS.bestEffortLate,
      eligible,
      [...ineligible, ...neverFinishing],
      nowMs,
      true,
    );
  }
  return decision('park', ROUTING_REASONS.noEligibleProvider, [], [...ineligible, ...neverFinishing], nowMs);
}
