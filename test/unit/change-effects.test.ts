import { describe, expect, it } from 'vitest';
import { providerEvents, ticketEvents } from '../../shared/domain/change-events.js';
import {
  toBreached,
  toCompleted,
  toLeased,
  toOnHold,
  toQueued,
  toRerouting,
} from '../../shared/domain/lifecycle.js';
import { metricIncrements, UNASSIGNED } from '../../shared/domain/metric-changes.js';
import type { Provider } from '../../shared/domain/types.js';
import { providerInput } from '../fixtures/entities.js';
import { iso, receivedTicket, T0 } from '../fixtures/tickets.js';

const routing = { decidedAt: iso(T0), providerId: 'acme', reason: 'best score', candidates: [] };

describe('events out for a table change', () => {
  it('publishes exactly the history entries the change added, with stable ids', () => {
    const before = receivedTicket();
    const after = toQueued(before, { providerId: 'acme' }, routing, true, T0);
    expect(ticketEvents(before, after)).toStrictEqual([
      expect.objectContaining({
        id: `${after.ticketId}#2`,
        type: 'ticket.queued',
        providerId: 'acme',
        reason: 'best_effort_late',
      }),
      expect.objectContaining({ id: `${after.ticketId}#3`, type: 'ticket.sla_at_risk' }),
    ]);
    expect(ticketEvents(after, after)).toStrictEqual([]);
    expect(ticketEvents(undefined, before).map((event) => event.type)).toStrictEqual(['ticket.received']);
  });

  it('publishes provider.status_changed only when the status changes', () => {
    const provider: Provider = {
      ...providerInput(),
      providerId: 'acme',
      openItems: 0,
      version: 2,
      updatedAt: iso(T0),
    };
    expect(providerEvents(provider, { ...provider, capacity: 9 })).toStrictEqual([]);
    expect(providerEvents(provider, { ...provider, status: 'paused', version: 3 })).toStrictEqual([
      {
        id: 'acme#v3',
        type: 'provider.status_changed',
        at: iso(T0),
        providerId: 'acme',
        status: 'paused',
        previousStatus: 'active',
      },
    ]);
  });
});

describe('metric counters for a table change', () => {
  const queued = toQueued(receivedTicket(), { providerId: 'acme', costPerItem: 3 }, routing, false, T0);
  const leased = toLeased(queued, 'h', iso(T0 + 3_600_000), T0 + 600_000);

  it('counts a routing in the hour it happened, with its skill (shares are held per skill)', () => {
    expect(metricIncrements(receivedTicket(), queued)).toStrictEqual([
      { providerId: 'acme', hour: '2026-11-23T10', counts: { routed: 1 }, routedSkill: 'billing' },
    ]);
  });

  it('counts a completion with its handle time and cost', () => {
    const done = toCompleted(leased, undefined, T0 + 900_000);
    expect(metricIncrements(leased, done)).toStrictEqual([
      {
        providerId: 'acme',
        hour: '2026-11-23T10',
        counts: { completed: 1, completedOnTime: 1, handleSeconds: 300, cost: 3 },
      },
    ]);
  });

  it('counts a breach against the holder, or unassigned', () => {
    expect(metricIncrements(queued, toBreached(queued, T0 + 5 * 3_600_000))).toStrictEqual([
      { providerId: 'acme', hour: '2026-11-23T15', counts: { breached: 1 } },
    ]);
    const received = receivedTicket();
    expect(metricIncrements(received, toBreached(received, T0))[0]?.providerId).toBe(UNASSIGNED);
  });

  it('counts nothing for a change that moves no counter', () => {
    expect(metricIncrements(leased, toRerouting(leased, 'released', T0))).toStrictEqual([]);
  });

  it('counts leases and holds against the provider (hold_rate = held / leased)', () => {
    expect(metricIncrements(queued, leased)).toStrictEqual([
      { providerId: 'acme', hour: '2026-11-23T10', counts: { leased: 1 } },
    ]);
    const held = toOnHold(
      leased,
      { reason: 'awaiting_customer', keepsCapacity: true, maxHoldSeconds: 86_400 },
      T0 + 700_000,
    );
    expect(metricIncrements(leased, held)).toStrictEqual([
      { providerId: 'acme', hour: '2026-11-23T10', counts: { held: 1 } },
    ]);
  });
});
