// Scores among the providers that can meet the due date: each factor in 0..1, weighted by the policy.
import { type CostBasis, routingCost } from './contracts.js';
import type { RoutingPolicy } from './schemas.js';
import type { ProviderSnapshot, ScoreFactors } from './types.js';

export interface FeasibleProvider {
  provider: ProviderSnapshot;
  completionMs: number;
  /** slackFactor of its prediction (routing computes it: it knows the calendars). */
  slack: number;
  /** The share factor (routing computes it: it knows the allocation pool). */
  share: number;
}

/** Its factors, each in 0..1, and their weighted score: fields of the entry, not an object per entry. */
export interface ScoredProvider extends FeasibleProvider {
  cost: number;
  quality: number;
  load: number;
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

/** The price the cost factor compares (setting the entry's costBasis when a contract prices it). */
function priceOf(entry: ScoredProvider, ticket?: PricedTicket): number {
  if (!ticket || !entry.provider.contractPricing) return entry.provider.costPerItem;
  entry.costBasis = routingCost(entry.provider, ticket);
  return entry.costBasis.cost;
}

/**
 * The cheapest feasible provider gets 1; the others lose the share of the
 * highest price that they cost above it. Measured against the price level,
 * not the min–max range, so a one-cent difference stays a one-cent difference
 * instead of the whole 0..1 span. Sets each entry's `cost`.
 */
function setCostFactors(feasible: readonly ScoredProvider[], ticket?: PricedTicket): void {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const entry of feasible) {
    // The price for now, the factor below.
    entry.cost = priceOf(entry, ticket);
    min = Math.min(min, entry.cost);
    max = Math.max(max, entry.cost);
  }
  for (const entry of feasible) entry.cost = max > 0 ? 1 - (entry.cost - min) / max : 1;
}

const loadFactor = (provider: ProviderSnapshot) =>
  provider.capacity > 0 ? clamp01((provider.capacity - provider.openItems) / provider.capacity) : 0;

export function weightedScore(factors: ScoreFactors, weights: RoutingPolicy['weights']): number {
  return weightedScoreOf(factors.slack, factors.cost, factors.quality, factors.share, factors.load, weights);
}

/** weightedScore of the five factors as numbers. */
function weightedScoreOf(
  slack: number,
  cost: number,
  quality: number,
  share: number,
  load: number,
  weights: RoutingPolicy['weights'],
): number {
  const totalWeight = weights.slack + weights.cost + weights.quality + weights.share + weights.load;
  if (totalWeight === 0) return 0;
  const sum =
    weights.slack * slack +
    weights.cost * cost +
    weights.quality * quality +
    weights.share * share +
    weights.load * load;
  return sum / totalWeight;
}

/**
 * Sets each entry's factors and score, in place (routing keeps one object per candidate rather than a copy
 * per step); the order is the caller's. Slack and share come in set.
 */
export function scoreFeasible(
  feasible: readonly ScoredProvider[],
  weights: RoutingPolicy['weights'],
  /** With it, a provider under contract is priced by its rate card for the ticket's skill and kind. */
  ticket?: PricedTicket,
): void {
  setCostFactors(feasible, ticket);
  for (const entry of feasible) {
    const { provider } = entry;
    entry.quality = clamp01(provider.measuredQuality?.quality ?? provider.qualityScore);
    entry.load = loadFactor(provider);
    entry.score = weightedScoreOf(entry.slack, entry.cost, entry.quality, entry.share, entry.load, weights);
  }
}
