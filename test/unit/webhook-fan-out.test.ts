// Which messages a ticket change puts on the webhook queue, and in what order.
import { describe, expect, it } from 'vitest';
import type { HistoryEntry, Ticket } from '../../shared/domain/types.js';
import type { StoredWebhook } from '../../shared/domain/webhooks.js';
import { deliveriesFor, eventsToOffer } from '../../shared/use-cases/deliver-webhook.js';
import { iso, receivedTicket, T0 } from '../fixtures/tickets.js';

const withEntries = (ticket: Ticket, entries: Omit<HistoryEntry, 'seq'>[]): Ticket => {
  const history = [...ticket.history];
  for (const entry of entries)
    history.push({ ...entry, seq: (history.at(-1)?.seq ?? 0) + 1 } as HistoryEntry);
  return { ...ticket, history, seq: history.at(-1)?.seq ?? 0 };
};

const webhook = (overrides: Partial<StoredWebhook>): StoredWebhook => ({
  webhookId: 'h',
  url: 'https://hooks.example.com/',
  events: ['*'],
  secret: 'whsec_x',
  enabled: true,
  createdAt: iso(T0),
  updatedAt: iso(T0),
  ...overrides,
});

describe('eventsToOffer', () => {
  const received = receivedTicket();
  const queued = withEntries(received, [{ at: iso(T0 + 1000), event: 'queued', providerId: 'acme' }]);

  it("offers a change's new events after its ticket's events of the minute before, in order", () => {
    const offered = eventsToOffer(received, queued).map((event) => event.type);
    expect(offered).toStrictEqual(['ticket.received', 'ticket.queued']);
  });

  it('offers only the new events once the earlier ones are more than a minute older', () => {
    const later = withEntries(queued, [{ at: iso(T0 + 3_600_000), event: 'leased', providerId: 'acme' }]);
    expect(eventsToOffer(queued, later).map((event) => event.type)).toStrictEqual(['ticket.leased']);
  });

  it('offers nothing for a change without new history', () => {
    expect(eventsToOffer(queued, queued)).toStrictEqual([]);
  });
});

describe('deliveriesFor', () => {
  it('makes one message per matching subscription and event, keeping the events in order', () => {
    const ticket = withEntries(receivedTicket(), [
      { at: iso(T0 + 1000), event: 'queued', providerId: 'acme' },
    ]);
    const events = eventsToOffer(undefined, ticket);
    const messages = deliveriesFor(
      [
        webhook({ webhookId: 'all' }),
        webhook({ webhookId: 'crm', sourceId: 'crm', events: ['ticket.queued'] }),
        webhook({ webhookId: 'erp', sourceId: 'erp' }),
        webhook({ webhookId: 'acme', providerId: 'acme' }),
        webhook({ webhookId: 'off', enabled: false }),
      ],
      events,
      ticket.providerId,
      T0,
    );
    expect(messages.map((message) => `${message.webhookId} ${message.event.type}`)).toStrictEqual([
      'all ticket.received',
      'all ticket.queued',
      'crm ticket.queued',
      'acme ticket.queued',
    ]);
  });
});
