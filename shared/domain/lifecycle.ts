// Pure state transitions of a ticket. Each returns the next state; the store
// writes it on condition that the ticket is still the one that was read.
import { meetTarget, type TicketSla } from './sla.js';
import { nextCheckAt, withEvent } from './ticket.js';
import type { Priority, RoutingExplanation, SlaTargetName, Ticket } from './types.js';

const iso = (ms: number) => new Date(ms).toISOString();

export function toQueued(
  ticket: Ticket,
  provider: { providerId: string; costPerItem?: number },
  routing: RoutingExplanation,
  bestEffortLate: boolean,
  nowMs: number,
): Ticket {
  const { providerId } = provider;
  const at = iso(nowMs);
  let next: Ticket = {
    ...ticket,
    status: 'queued',
    providerId,
    routedAt: at,
    costPerItem: provider.costPerItem ?? 0,
    attempts: ticket.attempts + 1,
    routing: { ...routing, providerId },
    parkedAt: undefined,
  };
  next = withEvent(next, {
    at,
    event: 'queued',
    providerId,
    ...(bestEffortLate ? { reason: 'best_effort_late' } : {}),
  });
  // Parking cannot help a ticket that will be late anyway: it goes, and is flagged at once.
  return bestEffortLate ? toAtRisk(next, nowMs) : next;
}

export function toParked(ticket: Ticket, routing: RoutingExplanation, nowMs: number): Ticket {
  const at = iso(nowMs);
  const next: Ticket = {
    ...ticket,
    status: 'parked',
    providerId: undefined,
    routing,
    parkedAt: ticket.parkedAt ?? at,
  };
  if (ticket.status === 'parked') {
    // Re-evaluated every minute and still parked: only the timer moves, history stays readable.
    const touched = { ...next, updatedAt: at };
    return { ...touched, nextCheckAt: nextCheckAt(touched) };
  }
  const reasons = [...new Set(routing.candidates.flatMap((candidate) => candidate.reasons ?? []))].join(',');
  return withEvent(next, { at, event: 'parked', reason: reasons || 'no provider' });
}

export function toLeased(
  ticket: Ticket,
  leaseTokenHash: string,
  leaseExpiresAt: string,
  nowMs: number,
): Ticket {
  const at = iso(nowMs);
  // Pickup is met at the first lease.
  return withEvent(
    {
      ...ticket,
      status: 'leased',
      leaseTokenHash,
      leaseExpiresAt,
      leasedAt: at,
      sla: meetTarget(ticket, 'pickup', nowMs),
    },
    { at, event: 'leased', providerId: ticket.providerId },
  );
}

export function toExtended(ticket: Ticket, leaseExpiresAt: string, nowMs: number): Ticket {
  return withEvent(
    { ...ticket, leaseExpiresAt },
    { at: iso(nowMs), event: 'extended', providerId: ticket.providerId },
  );
}

export function toCompleted(ticket: Ticket, resolution: string | undefined, nowMs: number): Ticket {
  const at = iso(nowMs);
  const breached = ticket.sla.breached || nowMs > Date.parse(ticket.dueAt);
  // Resolution is met at completion; a resolution is also a response when none was reported before.
  const met = meetTarget({ ...ticket, sla: meetTarget(ticket, 'firstResponse', nowMs) }, 'resolution', nowMs);
  return withEvent(
    {
      ...ticket,
      status: 'completed',
      completedAt: at,
      resolution,
      leaseTokenHash: undefined,
      leaseExpiresAt: undefined,
      sla: { ...met, breached, state: breached ? 'breached' : 'met' },
    },
    { at, event: 'completed', providerId: ticket.providerId },
  );
}

export type ReturnEvent = 'released' | 'rejected' | 'expired' | 'rerouted';

/** Back to routing: the provider's slot is freed and the ticket waits for the router again. */
export function toRerouting(ticket: Ticket, event: ReturnEvent, nowMs: number, reason?: string): Ticket {
  const at = iso(nowMs);
  const rejectedBy =
    event === 'rejected' && ticket.providerId
      ? [...new Set([...(ticket.rejectedBy ?? []), ticket.providerId])]
      : ticket.rejectedBy;
  return withEvent(
    {
      ...ticket,
      status: 'received',
      providerId: undefined,
      leaseTokenHash: undefined,
      leaseExpiresAt: undefined,
      leasedAt: undefined,
      rejectedBy,
    },
    { at, event, providerId: ticket.providerId, ...(reason ? { reason } : {}) },
  );
}

export function toCancelled(ticket: Ticket, nowMs: number, reason?: string): Ticket {
  return withEvent(
    { ...ticket, status: 'cancelled', leaseTokenHash: undefined, leaseExpiresAt: undefined },
    { at: iso(nowMs), event: 'cancelled', ...(reason ? { reason } : {}) },
  );
}

/** A target's clock with one field changed (tickets stored before targets have none to change). */
function withTarget(
  ticket: Ticket,
  name: SlaTargetName,
  change: { atRisk?: true; breached?: true },
): Ticket['sla'] {
  const target = ticket.sla.targets?.[name];
  if (!target) return ticket.sla;
  return { ...ticket.sla, targets: { ...ticket.sla.targets, [name]: { ...target, ...change } } };
}

export function toAtRisk(ticket: Ticket, nowMs: number): Ticket {
  if (ticket.sla.state !== 'on_track') return ticket;
  return withEvent(
    { ...ticket, sla: { ...withTarget(ticket, 'resolution', { atRisk: true }), state: 'at_risk' } },
    { at: iso(nowMs), event: 'sla_at_risk', providerId: ticket.providerId, target: 'resolution' },
  );
}

export function toBreached(ticket: Ticket, nowMs: number): Ticket {
  if (ticket.sla.breached) return ticket;
  return withEvent(
    {
      ...ticket,
      sla: { ...withTarget(ticket, 'resolution', { breached: true }), state: 'breached', breached: true },
    },
    { at: iso(nowMs), event: 'sla_breached', providerId: ticket.providerId, target: 'resolution' },
  );
}

/** Pickup or first response: at risk once, from its timer. */
export function toTargetAtRisk(ticket: Ticket, name: 'pickup' | 'firstResponse', nowMs: number): Ticket {
  const target = ticket.sla.targets?.[name];
  if (!target || target.metAt || target.atRisk) return ticket;
  return withEvent(
    { ...ticket, sla: withTarget(ticket, name, { atRisk: true }) },
    { at: iso(nowMs), event: 'sla_at_risk', providerId: ticket.providerId, target: name },
  );
}

/** Pickup or first response: breached once, from its timer. */
export function toTargetBreached(ticket: Ticket, name: 'pickup' | 'firstResponse', nowMs: number): Ticket {
  const target = ticket.sla.targets?.[name];
  if (!target || target.metAt || target.breached) return ticket;
  return withEvent(
    { ...ticket, sla: withTarget(ticket, name, { breached: true }) },
    { at: iso(nowMs), event: 'sla_breached', providerId: ticket.providerId, target: name },
  );
}

/** The leasing provider's first response (once): meets the first-response target. */
export function toResponded(ticket: Ticket, nowMs: number): Ticket {
  const at = iso(nowMs);
  return withEvent(
    { ...ticket, respondedAt: at, sla: meetTarget(ticket, 'firstResponse', nowMs) },
    { at, event: 'responded', providerId: ticket.providerId },
  );
}

/** A new priority: targets recomputed from createdAt (see reprioritizedSla); the lease, if any, is kept. */
export function toReprioritized(ticket: Ticket, priority: Priority, next: TicketSla, nowMs: number): Ticket {
  return withEvent(
    { ...ticket, priority, dueAt: next.dueAt, sla: next.sla },
    {
      at: iso(nowMs),
      event: 'reprioritized',
      providerId: ticket.providerId,
      reason: `${ticket.priority}->${priority}`,
    },
  );
}

/** No provider can meet the due any more: flagged once, so operations can escalate it while it still runs. */
export function toLost(ticket: Ticket, nowMs: number): Ticket {
  if (ticket.sla.breached || ticket.sla.state === 'lost' || ticket.sla.state === 'met') return ticket;
  return withEvent(
    { ...ticket, sla: { ...ticket.sla, state: 'lost' } },
    { at: iso(nowMs), event: 'sla_lost', providerId: ticket.providerId },
  );
}

/**
 * Work conservation: a queued, not yet started ticket moves to an open provider with room (its capacity
 * moves in the same write); the history says why, not from whom (vendors never see each other).
 */
export function toRebalanced(
  ticket: Ticket,
  provider: { providerId: string; costPerItem?: number },
  reason: string,
  nowMs: number,
): Ticket {
  return withEvent(
    { ...ticket, providerId: provider.providerId, costPerItem: provider.costPerItem ?? 0 },
    { at: iso(nowMs), event: 'rebalanced', providerId: provider.providerId, reason },
  );
}
