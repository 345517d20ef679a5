// The production rules, unchanged: decision, work order, rebalancing, wake-up and the at-risk rule all come
// from shared/domain/, so the simulator cannot drift from what the functions do.
import { firstInWorkOrder } from '../../domain/work-order.js';
import { decideRoute, placementSettings } from '../../domain/routing.js';
import { pickRebalance, type QueuedElsewhere } from '../../domain/rebalance.js';
import { willMissDue, workOrderClock } from '../../domain/prediction.js';
import { ticketsToWake } from '../../domain/wake-up.js';
import { type SimTicket, snapshots } from '../world.js';
import type { SimPolicy } from './policy.js';

export const outroutePolicy: SimPolicy = {
  route(ticket, world, nowMs) {
    const decision = decideRoute({
      ticket,
      providers: snapshots(world),
      policy: world.routingPolicy,
      nowMs,
      calendars: world.calendars,
      // The simulator reads the decision, never its explanation.
      maxCandidates: 0,
    });
    return {
      providerId: decision.outcome === 'route' ? (decision.order[0] ?? null) : null,
      lost: decision.lost,
    };
  },

  next(provider, world, nowMs) {
    const { lateAgingMs } = placementSettings(world.routingPolicy);
    const calendar = world.calendars.get(provider.snapshot, nowMs);
    return firstInWorkOrder(
      provider.snapshot.queue,
      workOrderClock(provider.snapshot, calendar, nowMs, lateAgingMs),
    );
  },

  steal(provider, world, nowMs) {
    const queued: QueuedElsewhere[] = [];
    for (const other of world.providers) {
      if (other === provider) continue;
      for (const ticket of other.snapshot.queue) queued.push(ticket as SimTicket & QueuedElsewhere);
    }
    if (queued.length === 0) return undefined;
    const [choice] = pickRebalance({
      taker: provider.snapshot,
      queued,
      providers: new Map(world.providers.map((p) => [p.config.providerId, p.snapshot])),
      settings: placementSettings(world.routingPolicy),
      nowMs,
      calendars: world.calendars,
      max: 1,
    });
    return choice?.ticket as SimTicket | undefined;
  },

  wake(parked, freed, world, nowMs, max) {
    return ticketsToWake(
      parked,
      freed.snapshot,
      nowMs,
      placementSettings(world.routingPolicy).lateAgingMs,
      max,
    );
  },

  willMiss(ticket, provider, world, nowMs) {
    const calendar = world.calendars.get(provider.snapshot, nowMs);
    return willMissDue(provider.snapshot, ticket, calendar, nowMs, placementSettings(world.routingPolicy));
  },
};
