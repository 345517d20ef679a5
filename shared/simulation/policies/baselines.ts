// The policies Outroute is measured against: today's decision as it stood before queue-aware routing
// (`legacy`, frozen here from commit 46bcdc6), and four simple routers. All of them work queues earliest
// due first, wake the oldest parked tickets, and never move queued work.
import { addOpenHours } from '../../domain/calendar.js';
import { hardFilterReasons } from '../../domain/hard-filters.js';
import { effortOf } from '../../domain/ticket.js';
import type { ProviderSnapshot } from '../../domain/types.js';
import type { PolicyName } from '../types.js';
import type { SimProvider, SimTicket, World } from '../world.js';
import type { RouteChoice, SimPolicy } from './policy.js';

const byId = (a: { providerId: string }, b: { providerId: string }) =>
  a.providerId < b.providerId ? -1 : a.providerId > b.providerId ? 1 : 0;

function withRoom(ticket: SimTicket, world: World): ProviderSnapshot[] {
  return world.providers
    .map((provider) => provider.snapshot)
    .filter((snapshot) => hardFilterReasons(snapshot, ticket).length === 0);
}

/** Legacy prediction: behind the whole backlog, `(openItems + 1) / throughput` open hours from now. */
function backOfQueueMs(
  snapshot: ProviderSnapshot,
  world: World,
  nowMs: number,
  items: number,
): number | null {
  return addOpenHours(world.calendars.get(snapshot, nowMs), nowMs, items / snapshot.throughputPerHour);
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** The legacy decision: feasible set by back-of-queue prediction, then the additive score of that time. */
function legacyRoute(ticket: SimTicket, world: World, nowMs: number): RouteChoice {
  const weights = world.routingPolicy.weights;
  const eligible = withRoom(ticket, world);
  const predicted = eligible.map((snapshot) => ({
    snapshot,
    completionMs: backOfQueueMs(snapshot, world, nowMs, snapshot.openItems + effortOf(ticket)),
  }));
  const feasible = predicted.filter(
    (p): p is { snapshot: ProviderSnapshot; completionMs: number } =>
      p.completionMs !== null && p.completionMs <= ticket.dueMs,
  );
  if (feasible.length === 0) {
    const earliest = predicted
      .filter((p): p is { snapshot: ProviderSnapshot; completionMs: number } => p.completionMs !== null)
      .sort((a, b) => a.completionMs - b.completionMs || byId(a.snapshot, b.snapshot))[0];
    return { providerId: earliest?.snapshot.providerId ?? null };
  }
  const costs = feasible.map((p) => p.snapshot.costPerItem);
  const [minCost, maxCost] = [Math.min(...costs), Math.max(...costs)];
  let targetTotal = 0;
  let routedTotal = 0;
  for (const { snapshot } of feasible) {
    if (snapshot.allocationShare === undefined) continue;
    targetTotal += snapshot.allocationShare;
    routedTotal += snapshot.routedLast24h;
  }
  const window = ticket.dueMs - ticket.createdMs;
  const totalWeight = weights.slack + weights.cost + weights.quality + weights.share + weights.load || 1;
  const scored = feasible.map(({ snapshot, completionMs }) => {
    const share =
      snapshot.allocationShare === undefined || targetTotal === 0 || routedTotal === 0
        ? 0.5
        : clamp01(0.5 + 4 * (snapshot.allocationShare / targetTotal - snapshot.routedLast24h / routedTotal));
    const score =
      weights.slack * (window > 0 ? clamp01((ticket.dueMs - completionMs) / window) : 0) +
      weights.cost * (maxCost > 0 ? 1 - (snapshot.costPerItem - minCost) / maxCost : 1) +
      weights.quality * clamp01(snapshot.qualityScore) +
      weights.share * share +
      weights.load * clamp01((snapshot.capacity - snapshot.openItems) / snapshot.capacity);
    return { snapshot, score: score / totalWeight };
  });
  scored.sort((a, b) => b.score - a.score || byId(a.snapshot, b.snapshot));
  return { providerId: scored[0]?.snapshot.providerId ?? null };
}

/** Earliest due first, ties on the ticket. */
function earliestDue(provider: SimProvider): SimTicket | undefined {
  let best: SimTicket | undefined;
  for (const ticket of provider.snapshot.queue)
    if (!best || ticket.dueMs < best.dueMs || (ticket.dueMs === best.dueMs && ticket.index < best.index))
      best = ticket;
  return best;
}

function simplePolicy(route: SimPolicy['route'], legacyAtRisk = false): SimPolicy {
  return {
    route,
    next: (provider) => earliestDue(provider),
    steal: () => undefined,
    // As production woke them: the oldest parked tickets of the whole table, whoever frees the slot.
    wake: (parked, _freed, _world, _nowMs, max) =>
      [...parked].sort((a, b) => a.createdMs - b.createdMs || a.index - b.index).slice(0, max),
    willMiss: (ticket, provider, world, nowMs) => {
      if (!legacyAtRisk) return false;
      const finish = backOfQueueMs(provider.snapshot, world, nowMs, provider.snapshot.openItems);
      return finish === null || finish > ticket.dueMs;
    },
  };
}

function pickMin(ticket: SimTicket, world: World, key: (snapshot: ProviderSnapshot) => number): RouteChoice {
  let best: ProviderSnapshot | undefined;
  let bestKey = Number.POSITIVE_INFINITY;
  for (const snapshot of withRoom(ticket, world)) {
    const value = key(snapshot);
    if (value < bestKey || (value === bestKey && best && byId(snapshot, best) < 0)) {
      best = snapshot;
      bestKey = value;
    }
  }
  return { providerId: best?.providerId ?? null };
}

function roundRobin(): SimPolicy['route'] {
  let turn = 0;
  return (ticket, world) => {
    const eligible = withRoom(ticket, world).sort(byId);
    if (eligible.length === 0) return { providerId: null };
    return { providerId: eligible[turn++ % eligible.length]!.providerId };
  };
}

export function baselinePolicy(name: Exclude<PolicyName, 'outroute'>): SimPolicy {
  switch (name) {
    case 'legacy':
      return simplePolicy(legacyRoute, true);
    case 'round-robin':
      return simplePolicy(roundRobin());
    case 'least-loaded':
      return simplePolicy((ticket, world) => pickMin(ticket, world, (s) => s.openItems / s.capacity));
    case 'cheapest':
      return simplePolicy((ticket, world) => pickMin(ticket, world, (s) => s.costPerItem));
    case 'earliest-completion':
      return simplePolicy((ticket, world, nowMs) =>
        pickMin(
          ticket,
          world,
          (s) => backOfQueueMs(s, world, nowMs, s.openItems + 1) ?? Number.POSITIVE_INFINITY,
        ),
      );
  }
}
