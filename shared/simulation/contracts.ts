// Contracts in the simulator (issue 10): the same pricing rule as production. Before each decision a
// provider under contract gets the rate card and its take-or-pay pace in its snapshot (as the provider
// snapshot use case gives the router), and a completion is priced by its rate card.
import { contractPricing, periodBounds, periodOf, priceMinor } from '../domain/contracts.js';
import type { SimProvider } from './world.js';

/** Billable completions of the provider's current contract period, and that period's bounds. */
interface PeriodCount {
  startMs: number;
  endMs: number;
  completed: number;
}
const periods = new WeakMap<SimProvider, PeriodCount>();

/** The provider's current period (luxon only when a period ends, not per decision). */
function periodAt(provider: SimProvider, nowMs: number): PeriodCount {
  const contract = provider.config.contract!;
  let current = periods.get(provider);
  if (!current || nowMs < current.startMs || nowMs >= current.endMs) {
    const bounds = periodBounds(periodOf(nowMs, contract.timeZone, contract.period), contract.timeZone);
    current = { ...bounds, completed: 0 };
    periods.set(provider, current);
  }
  return current;
}

/** Sets `contractPricing` on the snapshots of providers under contract, as of now. */
export function priceProviders(providers: readonly SimProvider[], nowMs: number): void {
  for (const provider of providers) {
    const contract = provider.config.contract;
    if (!contract) continue;
    const period = periodAt(provider, nowMs);
    provider.snapshot.contractPricing = contractPricing(contract, period.completed, nowMs, period);
  }
}

/** A completion's price in minor units (by the rate card under contract), counted toward the minimum. */
export function completionCostMinor(provider: SimProvider, ticket: { skill: string }, nowMs: number): number {
  const contract = provider.config.contract;
  if (!contract) return Math.round(provider.snapshot.costPerItem * 100);
  periodAt(provider, nowMs).completed++;
  return priceMinor(contract, { skill: ticket.skill, kind: '' });
}
