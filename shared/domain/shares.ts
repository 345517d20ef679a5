// Allocation shares as a deficit controller (ROUTING-THEORY.md §8): within the pool of providers that can take
// a ticket's skill and declare a target, the one furthest below its target over the last 24 h gets the
// ticket. A plain score term (at most ±0.075) was drowned by queue differences at peak; the controller holds
// a split to within a ticket or two wherever capacity allows. Pure.
import type { ProviderSnapshot } from './types.js';

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** A provider exactly on its allocation target, or one that declares none: neither pushed nor held back. */
export const NEUTRAL_SHARE_FACTOR = 0.5;
/** How hard the explanatory share factor moves with the gap to the target (12.5 points = the whole factor). */
export const SHARE_GAIN = 4;

/** Tickets of this skill routed to the provider over the last 24 h (all skills when not known per skill). */
export const routedForSkill = (provider: ProviderSnapshot, skill: string) =>
  provider.routedBySkill
    ? Object.hasOwn(provider.routedBySkill, skill)
      ? (provider.routedBySkill[skill] as number)
      : 0
    : provider.routedLast24h;

/** The score's share factor (explanation and a nudge between non-pool providers): 0.5 on target. */
const standingFactor = (target: number, actual: number) =>
  clamp01(NEUTRAL_SHARE_FACTOR + SHARE_GAIN * (target - actual));

/**
 * The pool's standings for one skill: every provider that could take it (capacity aside) and declares a
 * share. Kept in arrays indexed by a number per provider id (equal ids, equal numbers: a later member
 * replaces the standing of an earlier one with its id) and refilled for each decision, so a decision
 * builds no map and no object per member.
 */
export class ShareStandings {
  /** Its target share, normalised over the pool. */
  readonly target: Float64Array;
  /** Its actual share of the pool's routed volume. */
  readonly actual: Float64Array;
  /** target × (routed + 1) − routed: how many tickets behind its target it would be after this one. */
  readonly deficit: Float64Array;
  /** Which fill each id's standing is from: older ones are not in the current pool. */
  readonly #filledIn: Float64Array;
  #fill = 0;

  constructor(distinctIds: number) {
    this.target = new Float64Array(distinctIds);
    this.actual = new Float64Array(distinctIds);
    this.deficit = new Float64Array(distinctIds);
    this.#filledIn = new Float64Array(distinctIds);
  }

  /** The pool's standings (`idNumbers[i]` is `pool[i]`'s), replacing the last pool's. */
  fill(pool: readonly ProviderSnapshot[], idNumbers: readonly number[], skill: string): void {
    const fill = ++this.#fill;
    let targetTotal = 0;
    let routedTotal = 0;
    for (const provider of pool) {
      if (provider.allocationShare === undefined) continue;
      targetTotal += provider.allocationShare;
      routedTotal += routedForSkill(provider, skill);
    }
    for (let i = 0; i < pool.length; i++) {
      const provider = pool[i]!;
      if (provider.allocationShare === undefined) continue;
      const id = idNumbers[i]!;
      const target = targetTotal > 0 ? provider.allocationShare / targetTotal : 0;
      const routed = routedForSkill(provider, skill);
      this.target[id] = target;
      this.actual[id] = routedTotal > 0 ? routed / routedTotal : target;
      this.deficit[id] = target * (routedTotal + 1) - routed;
      this.#filledIn[id] = fill;
    }
  }

  /** Whether the provider with this id number is in the pool. */
  has(id: number): boolean {
    return this.#filledIn[id] === this.#fill;
  }

  /** The share factor of the provider with this id number (neutral outside the pool). */
  factor(id: number): number {
    return this.has(id) ? standingFactor(this.target[id]!, this.actual[id]!) : NEUTRAL_SHARE_FACTOR;
  }
}

export interface ShareHolder {
  providerId: string;
  allocationShare?: number;
  skills: Record<string, number>;
  /** Routings per skill over the period judged. */
  routedBySkill: Readonly<Record<string, number>>;
}

export interface ShareReport {
  /** The share its targets imply: per skill among the pool serving it, weighted by the skill's volume. */
  target: number;
  actual: number;
  declared: number;
}

/**
 * Realised shares as the controller holds them: per skill, among the providers with that skill that declare
 * a target (targets normalised over that pool), summed over skills weighted by their routed volume. A
 * provider lacking skills the others have gets a lower implied target than it declared: the gap between
 * `declared` and `target` says how much of its target cannot be had; `actual` below `target` says capacity
 * or business hours held it back.
 */
export function shareReport(holders: readonly ShareHolder[]): Map<string, ShareReport> {
  const members = holders.filter((holder) => holder.allocationShare !== undefined);
  const skills = new Set(members.flatMap((holder) => Object.keys(holder.skills)));
  const implied = new Map<string, number>();
  const routed = new Map<string, number>();
  let volume = 0;
  for (const skill of skills) {
    const pool = members.filter((holder) => Object.hasOwn(holder.skills, skill));
    const countOf = (holder: ShareHolder) =>
      Object.hasOwn(holder.routedBySkill, skill) ? (holder.routedBySkill[skill] as number) : 0;
    const shareTotal = pool.reduce((sum, holder) => sum + (holder.allocationShare ?? 0), 0);
    const inSkill = pool.reduce((sum, holder) => sum + countOf(holder), 0);
    if (inSkill === 0 || shareTotal === 0) continue;
    volume += inSkill;
    for (const holder of pool) {
      const id = holder.providerId;
      implied.set(id, (implied.get(id) ?? 0) + (inSkill * (holder.allocationShare ?? 0)) / shareTotal);
      routed.set(id, (routed.get(id) ?? 0) + countOf(holder));
    }
  }
  return new Map(
    members.map((holder) => [
      holder.providerId,
      {
        target: volume > 0 ? (implied.get(holder.providerId) ?? 0) / volume : 0,
        actual: volume > 0 ? (routed.get(holder.providerId) ?? 0) / volume : 0,
        declared: holder.allocationShare ?? 0,
      },
    ]),
  );
}
