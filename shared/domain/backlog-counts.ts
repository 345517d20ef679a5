// What a ticket change does to the backlog counters (open tickets per skill and
// priority). Pure: the stream consumer applies the deltas once per batch, so the
// backlog is read from O(skills × priorities) items, never from the tickets.
import { hourOf } from './metric-counts.js';
import { capacityUnits, isOpen } from './ticket.js';
import type { Priority, Ticket } from './types.js';

/** Open tickets per creation hour sit beside the counts: the oldest hour with any gives the oldest age. */
export const OPEN_HOUR_PREFIX = 'open@';

export interface BacklogDelta {
  skill: string;
  priority: Priority;
  add: Record<string, number>;
}

/** A ticket's own share of its group's counters (nothing once closed). */
function contribution(ticket: Ticket): Record<string, number> {
  if (!isOpen(ticket.status)) return {};
  const atRisk = ticket.sla.breached || ticket.sla.state === 'at_risk' || ticket.sla.state === 'lost';
  return {
    [ticket.status]: 1,
    atRisk: atRisk ? 1 : 0,
    lost: ticket.sla.state === 'lost' ? 1 : 0,
    [`${OPEN_HOUR_PREFIX}${hourOf(ticket.createdAt)}`]: 1,
  };
}

/** The counters to move: the ticket's share after, less its share before (a reprioritised ticket moves group). */
export function backlogDeltas(before: Ticket | undefined, after: Ticket): BacklogDelta[] {
  const deltas = new Map<string, BacklogDelta>();
  const apply = (ticket: Ticket, sign: 1 | -1) => {
    const id = `${ticket.skill}\u0000${ticket.priority}`;
    let delta = deltas.get(id);
    if (!delta) deltas.set(id, (delta = { skill: ticket.skill, priority: ticket.priority, add: {} }));
    for (const [name, value] of Object.entries(contribution(ticket)))
      delta.add[name] = (delta.add[name] ?? 0) + sign * value;
  };
  if (before) apply(before, -1);
  apply(after, 1);
  return [...deltas.values()]
    .map((delta) => ({
      ...delta,
      add: Object.fromEntries(Object.entries(delta.add).filter(([, value]) => value !== 0)),
    }))
    .filter((delta) => Object.keys(delta.add).length > 0);
}

/** The oldest creation hour that still has open tickets, from a group's counters. */
export function oldestOpenHour(counters: Record<string, unknown>): string | undefined {
  let oldest: string | undefined;
  for (const [name, value] of Object.entries(counters)) {
    if (!name.startsWith(OPEN_HOUR_PREFIX) || Number(value) <= 0) continue;
    const hour = name.slice(OPEN_HOUR_PREFIX.length);
    if (oldest === undefined || hour < oldest) oldest = hour;
  }
  return oldest;
}

/**
 * Capacity a change gives back, per provider: the effort units the ticket held
 * there before and no longer does. Taking capacity is checked and written with
 * the ticket (a transaction); giving it back is a counter the stream consumer
 * applies once, so a completion is one write.
 */
export function capacityReleases(
  before: Ticket | undefined,
  after: Ticket,
): { providerId: string; units: number }[] {
  if (!before?.providerId) return [];
  const held = capacityUnits(before);
  const still = after.providerId === before.providerId ? capacityUnits(after) : 0;
  return held > still ? [{ providerId: before.providerId, units: held - still }] : [];
}
