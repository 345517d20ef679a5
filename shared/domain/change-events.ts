// What a table change means for the world outside: the events to publish.
import type { OutEvent } from './events.js';
import type { Provider, Ticket } from './types.js';

/** Ticket history entries added by this change, as events (the sequence survives history trimming). */
export function ticketEvents(before: Ticket | undefined, after: Ticket): OutEvent[] {
  const seenSeq = before?.seq ?? 0;
  return after.history
    .filter((entry) => entry.seq > seenSeq)
    .map((entry) => ({
      id: `${after.ticketId}#${entry.seq}`,
      type: `ticket.${entry.event}`,
      at: entry.at,
      ticketId: after.ticketId,
      ...(entry.providerId ? { providerId: entry.providerId } : {}),
      ...(entry.reason ? { reason: entry.reason } : {}),
      ...(entry.target ? { target: entry.target } : {}),
      ...(entry.note ? { note: entry.note } : {}),
      status: after.status,
      sourceId: after.sourceId,
      skill: after.skill,
      priority: after.priority,
    }));
}

export function providerEvents(before: Provider | undefined, after: Provider | undefined): OutEvent[] {
  if (!after || before?.status === after.status) return [];
  return [
    {
      id: `${after.providerId}#v${after.version}`,
      type: 'provider.status_changed',
      at: after.updatedAt,
      providerId: after.providerId,
      status: after.status,
      previousStatus: before?.status ?? null,
    },
  ];
}
