// What the sweeper does with a ticket whose timer is due. Pure: `now` comes in.
import {
  toAtRisk,
  toBreached,
  toHoldExpired,
  toRerouting,
  toResumed,
  toTargetAtRisk,
  toTargetBreached,
} from './lifecycle.js';
import { nextCheckAt, RETRY_SECONDS } from './ticket.js';
import type { Ticket } from './types.js';

export interface TimerOutcome {
  /** The state to write, or undefined when nothing changes. */
  next?: Ticket;
  /** Send the ticket (back) to the router. */
  route: boolean;
}

/**
 * @param providerWillMiss for a queued ticket: whether its provider is predicted
 *   to finish after dueAt (the at-risk re-route rule); the caller computes it.
 */
export function onTimer(ticket: Ticket, nowMs: number, providerWillMiss = false): TimerOutcome {
  if (ticket.status === 'on_hold') return onHoldTimer(ticket, nowMs);
  let next = ticket;
  let route = false;
  const at = new Date(nowMs).toISOString();
  if (next.status === 'leased' && next.leaseExpiresAt && Date.parse(next.leaseExpiresAt) <= nowMs) {
    next = toRerouting(next, 'expired', nowMs);
    route = true;
  }
  if (next.sla.state === 'on_track' && nowMs >= Date.parse(next.sla.atRiskAt)) {
    next = toAtRisk(next, nowMs);
    if (next.status === 'queued' && providerWillMiss) {
      next = toRerouting(next, 'rerouted', nowMs, 'sla_at_risk');
      route = true;
    }
  }
  if (!next.sla.breached && nowMs > Date.parse(next.dueAt)) next = toBreached(next, nowMs);
  // Pickup and first response: each at its own instants, once each.
  for (const name of ['pickup', 'firstResponse'] as const) {
    const target = next.sla.targets?.[name];
    if (!target || target.metAt) continue;
    if (nowMs >= Date.parse(target.atRiskAt)) next = toTargetAtRisk(next, name, nowMs);
    if (nowMs > Date.parse(target.dueAt)) next = toTargetBreached(next, name, nowMs);
  }
  const waiting = (next.status === 'received' || next.status === 'parked') && !route;
  if (waiting && Date.parse(next.updatedAt) + RETRY_SECONDS * 1000 <= nowMs) {
    // A lost queue message or a parked ticket: retry it, and move its timer on.
    next = { ...next, updatedAt: at };
    next = { ...next, nextCheckAt: nextCheckAt(next) };
    route = true;
  }
  return { next: next === ticket ? undefined : next, route };
}

/**
 * A ticket on hold: its SLA clock is stopped, so only the hold's end matters. At `until` it resumes at its
 * provider (the pause ends at `until`, however late the timer runs); a provider that let its capacity go
 * and has had no room for a minute since gets it routed again instead. Still held at `expiresAt`: it goes
 * back to its source as cancelled (`hold_expired`).
 */
function onHoldTimer(ticket: Ticket, nowMs: number): TimerOutcome {
  const hold = ticket.hold;
  if (!hold) return { route: false };
  if (hold.until && nowMs >= Date.parse(hold.until)) {
    const untilMs = Date.parse(hold.until);
    const toRouting = !hold.keepsCapacity && nowMs >= untilMs + RETRY_SECONDS * 1000;
    return { next: toResumed(ticket, 'until', nowMs, { endMs: untilMs, toRouting }), route: toRouting };
  }
  if (nowMs >= Date.parse(hold.expiresAt)) return { next: toHoldExpired(ticket, nowMs), route: false };
  return { route: false };
}
