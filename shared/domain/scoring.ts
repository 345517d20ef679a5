// Scores among the providers that can meet the due date: each factor in 0..1, weighted by the policy.
import type { RoutingPolicy } from './schemas.js';
import type { ProviderSnapshot, ScoreFactors } from './types.js';

export interface FeasibleProvider {
  provider: ProviderSnapshot;
  completionMs: number;
}

export interface ScoredProvider extends FeasibleProvider {
  factors: ScoreFactors;
  score: number;
}

export interface SlaWindow {
  createdMs: number;
  dueMs: number;
}

/** A provider exactly on its allocation target, or one that declares none: neither pushed nor held back. */
export const NEUTRAL_SHARE_FACTOR = 0.5;
/**
 * How hard the share factor pulls: a provider 12.5 points below (above) its target share gets the whole
 * factor (none). A plain difference of shares is too weak against the slack and load a busier provider
 * loses: with tickets due in 2 h a 70/30 target split came out 26/24 over 50 tickets.
 */
export const SHARE_GAIN = 4;

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** Share of the SLA window still left when the provider is predicted to finish. */
export function slackFactor(window: SlaWindow, completionMs: number): number {
  const length = window.dueMs - window.createdMs;
  return length > 0 ? clamp01((window.dueMs - completionMs) / length) : 0;
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

/**
 * Targets are the declared allocationShares normalised over the feasible providers that declare one; the
 * actual share is each one's routedLast24h over theirs together. Without history nobody is behind.
 */
function shareFactors(feasible: readonly FeasibleProvider[]): number[] {
  let targetTotal = 0;
  let routedTotal = 0;
  for (const { provider } of feasible) {
    if (provider.allocationShare === undefined) continue;
    targetTotal += provider.allocationShare;
    routedTotal += provider.routedLast24h;
  }
  return feasible.map(({ provider }) => {
    if (provider.allocationShare === undefined || targetTotal === 0 || routedTotal === 0)
      return NEUTRAL_SHARE_FACTOR;
    const target = provider.allocationShare / targetTotal;
    const actual = provider.routedLast24h / routedTotal;
    return clamp01(NEUTRAL_SHARE_FACTOR + SHARE_GAIN * (target - actual));
  });
}

const loadFactor = (provider: ProviderSnapshot) =>
  clamp01((provider.capacity - provider.openItems) / provider.capacity);

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

/** Scores in input order; ordering is the caller's. */
export function scoreFeasible(
  feasible: readonly FeasibleProvider[],
  window: SlaWindow,
  weights: RoutingPolicy['weights'],
): ScoredProvider[] {
  const costs = costFactors(feasible);
  const shares = shareFactors(feasible);
  return feasible.map((entry, i) => {
    const factors: ScoreFactors = {
      slack: slackFactor(window, entry.completionMs),
      cost: costs[i]!,
      quality: clamp01(entry.provider.qualityScore),
      share: shares[i]!,
      load: loadFactor(entry.provider),
    };
    return { ...entry, factors, score: weightedScore(factors, weights) };
  });
}
