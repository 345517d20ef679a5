// Scores among the providers that can meet the due date: each factor in 0..1, weighted by the policy.
import { type CostBasis, routingCost } from './contracts.js';
import type { RoutingPolicy } from './schemas.js';
import { type SharePool, shareFactor } from './shares.js';
import type { ProviderSnapshot, ScoreFactors } from './types.js';

export interface FeasibleProvider {
  provider: ProviderSnapshot;
  completionMs: number;
  /** slackFactor of its prediction (routing computes it: it knows the calendars). */
  slack: number;
}

export interface ScoredProvider extends FeasibleProvider {
  factors: ScoreFactors;
  score: number;
  /** What the cost factor compared (issue 10): the contract's rate card or take-or-pay, else costPerItem. */
  costBasis?: { basis: CostBasis; cost: number };
}

/** What pricing needs of a ticket. */
type PricedTicket = { skill: string; kind?: string };

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** Share of the SLA window (in the provider's open hours) still left when it is predicted to finish. */
export function slackFactor(slackOpenHours: number, windowOpenHours: number): number {
  return windowOpenHours > 0 ? clamp01(slackOpenHours / windowOpenHours) : 0;
}

/**
 * The cheapest feasible provider gets 1; the others lose the share of the
 * highest price that they cost above it. Measured against the price level,
 * not the min–max range, so a one-cent difference stays a one-cent difference
 * instead of the whole 0..1 span.
 */
function costFactors(feasible: readonly ScoredProvider[], ticket?: PricedTicket): number[] {
  const costs = feasible.map((entry) => {
    if (!ticket || !entry.provider.contractPricing) return entry.provider.costPerItem;
    entry.costBasis = routingCost(entry.provider, ticket);
    return entry.costBasis.cost;
  });
  const min = Math.min(...costs);
  const max = Math.max(...costs);
  return costs.map((cost) => (max > 0 ? 1 - (cost - min) / max : 1));
}

const loadFactor = (provider: ProviderSnapshot) =>
  provider.capacity > 0 ? clamp01((provider.capacity - provider.openItems) / provider.capacity) : 0;

export function weightedScore(factors: ScoreFactors, weights: RoutingPolicy['weights']): number {
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

/**
 * Sets each entry's factors and score, in place (routing keeps one object per candidate rather than a copy
 * per step); the order is the caller's.
 */
export function scoreFeasible(
  feasible: readonly ScoredProvider[],
  shares: SharePool,
  weights: RoutingPolicy['weights'],
  /** With it, a provider under contract is priced by its rate card for the ticket's skill and kind. */
  ticket?: PricedTicket,
): void {
  const costs = costFactors(feasible, ticket);
  for (let i = 0; i < feasible.length; i++) {
    const entry = feasible[i]!;
    const factors: ScoreFactors = {
      slack: entry.slack,
      cost: costs[i]!,
      quality: clamp01(entry.provider.measuredQuality?.quality ?? entry.provider.qualityScore),
      share: shareFactor(shares, entry.provider.providerId),
      load: loadFactor(entry.provider),
    };
    entry.factors = factors;
    entry.score = weightedScore(factors, weights);
  }
}
