// What the sweeper does with a ticket whose timer is due. Pure: `now` comes in.
import { toAtRisk, toBreached, toRerouting, toTargetAtRisk, toTargetBreached } from './lifecycle.js';
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
