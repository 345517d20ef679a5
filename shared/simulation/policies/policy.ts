// What a routing policy decides in the simulation. `outroute` runs the production rules of shared/domain/;
// the others are the baselines it is measured against.
import type { SimProvider, SimTicket, World } from '../world.js';

export interface RouteChoice {
  providerId: string | null;
  /** No provider can meet the due any more (outroute marks it once, as production does). */
  lost?: boolean;
}

export interface SimPolicy {
  /** Where a waiting ticket goes now; null parks it. Only providers with room may be chosen. */
  route(ticket: SimTicket, world: World, nowMs: number): RouteChoice;
  /** The queued ticket this open, idle provider starts next (from its own queue), or undefined. */
  next(provider: SimProvider, world: World, nowMs: number): SimTicket | undefined;
  /** Work conservation: a ticket queued elsewhere that this idle provider takes over, or undefined. */
  steal(provider: SimProvider, world: World, nowMs: number): SimTicket | undefined;
  /** Parked tickets to retry when a slot frees at `freed` (or all that might fit, in order). */
  wake(
    parked: readonly SimTicket[],
    freed: SimProvider,
    world: World,
    nowMs: number,
    max: number,
  ): SimTicket[];
  /** The at-risk rule: whether a queued ticket's provider will miss its due (then it is routed again). */
  willMiss(ticket: SimTicket, provider: SimProvider, world: World, nowMs: number): boolean;
}
