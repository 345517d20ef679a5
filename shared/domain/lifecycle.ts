// Pure state transitions of a ticket. Each returns the next state; the store
// writes it on condition that the ticket is still the one that was read.
import { meetTarget, pausedSla, type TicketSla } from './sla.js';
import { nextCheckAt, withEvent } from './ticket.js';
import type {
  HoldReason,
  Priority,
  RoutingExplanation,
  SlaTargetName,
  Ticket,
  TicketAccess,
  TicketHold,
} from './types.js';

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
  /** Who leases it, by which request (the access audit trail). */
  access?: Omit<TicketAccess, 'at'>,
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
      ...(access ? { accessLog: [...(ticket.accessLog ?? []), { at, ...access }] } : {}),
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
    { ...ticket, status: 'cancelled', hold: undefined, leaseTokenHash: undefined, leaseExpiresAt: undefined },
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

// Holds, escalation and transfer (issue 14): the provider keeps a held ticket, its SLA clock stops.

/** How long a ticket may stay on hold when its SLA policy does not say (7 days). */
export const DEFAULT_MAX_HOLD_SECONDS = 7 * 86_400;

/**
 * The leasing provider puts its ticket on hold: the lease ends, the ticket stays with the provider (its
 * capacity too when `keepsCapacity`), the SLA clock stops until it resumes. It resumes by itself at
 * `until` (when before the expiry), and is cancelled (`hold_expired`) if still held `maxHoldSeconds` on.
 */
export function toOnHold(
  ticket: Ticket,
  hold: { reason: HoldReason; until?: string; keepsCapacity: boolean; maxHoldSeconds: number },
  nowMs: number,
): Ticket {
  const at = iso(nowMs);
  const expiresAt = iso(nowMs + hold.maxHoldSeconds * 1000);
  const until =
    hold.until && Date.parse(hold.until) < Date.parse(expiresAt) ? iso(Date.parse(hold.until)) : undefined;
  const held: TicketHold = {
    reason: hold.reason,
    since: at,
    ...(until ? { until } : {}),
    expiresAt,
    keepsCapacity: hold.keepsCapacity,
  };
  return withEvent(
    {
      ...ticket,
      status: 'on_hold',
      hold: held,
      leaseTokenHash: undefined,
      leaseExpiresAt: undefined,
    },
    { at, event: 'held', providerId: ticket.providerId, reason: hold.reason },
  );
}

/** Who resumed a hold: the history says which (a timer at `until` is `until`). */
export type ResumedBy = 'source' | 'admin' | 'provider' | 'until';

/**
 * Off hold: back to `queued` at the same provider (leased next in its work order), every running SLA
 * target's due moved later by the time paused (`endMs` is when the pause ends: now, or `until` for a timer
 * that fires late). `toRouting`: the provider had let its capacity go and has no room now, so the ticket
 * is routed again instead (its clock moved all the same).
 */
export function toResumed(
  ticket: Ticket,
  by: ResumedBy,
  nowMs: number,
  options: { endMs?: number; toRouting?: boolean; note?: string } = {},
): Ticket {
  const hold = ticket.hold;
  if (ticket.status !== 'on_hold' || !hold) return ticket;
  const at = iso(nowMs);
  const endMs = Math.min(nowMs, options.endMs ?? nowMs);
  const { dueAt, sla } = pausedSla(ticket, Date.parse(hold.since), Math.max(Date.parse(hold.since), endMs));
  const resumed: Ticket = {
    ...ticket,
    status: options.toRouting ? 'received' : 'queued',
    ...(options.toRouting ? { providerId: undefined, leasedAt: undefined } : {}),
    hold: undefined,
    dueAt,
    sla,
  };
  return withEvent(resumed, {
    at,
    event: 'resumed',
    providerId: ticket.providerId,
    reason: options.toRouting ? `${by}:rerouted` : by,
    ...(options.note ? { note: options.note } : {}),
  });
}

/** Held past its policy's maxHoldSeconds: back to the source as cancelled, reason `hold_expired`. */
export function toHoldExpired(ticket: Ticket, nowMs: number): Ticket {
  if (ticket.status !== 'on_hold') return ticket;
  return withEvent(
    { ...ticket, status: 'cancelled', hold: undefined, leaseTokenHash: undefined, leaseExpiresAt: undefined },
    { at: iso(nowMs), event: 'cancelled', providerId: ticket.providerId, reason: 'hold_expired' },
  );
}

/**
 * The leasing provider finds the ticket needs another skill: back to routing for it, with the same
 * createdAt, SLA clock and history. Not a rejection: the provider may get it again if it has the skill.
 */
export function toEscalated(
  ticket: Ticket,
  escalation: { skill: string; minProficiency?: number; note: string },
  nowMs: number,
): Ticket {
  const minProficiency = escalation.minProficiency ?? ticket.requestedMinProficiency ?? ticket.minProficiency;
  return withEvent(
    {
      ...ticket,
      status: 'received',
      skill: escalation.skill,
      minProficiency,
      requestedMinProficiency: minProficiency,
      providerId: undefined,
      leaseTokenHash: undefined,
      leaseExpiresAt: undefined,
      leasedAt: undefined,
      parkedAt: undefined,
    },
    {
      at: iso(nowMs),
      event: 'escalated',
      providerId: ticket.providerId,
      reason: `${ticket.skill}->${escalation.skill}`,
      note: escalation.note,
    },
  );
}

/**
 * An admin moves a queued or held ticket to a named provider (its capacity moves in the same write). A
 * held ticket stays on hold there, keeping capacity as the new provider's `holdKeepsCapacity` says.
 */
export function toTransferred(
  ticket: Ticket,
  provider: { providerId: string; costPerItem?: number; holdKeepsCapacity?: boolean },
  nowMs: number,
): Ticket {
  return withEvent(
    {
      ...ticket,
      providerId: provider.providerId,
      costPerItem: provider.costPerItem ?? 0,
      ...(ticket.hold ? { hold: { ...ticket.hold, keepsCapacity: provider.holdKeepsCapacity ?? true } } : {}),
    },
    { at: iso(nowMs), event: 'transferred', providerId: provider.providerId, reason: 'admin' },
  );
}
