import { describe, expect, it } from 'vitest';
import {
  toAtRisk,
  toBreached,
  toCancelled,
  toCompleted,
  toLeased,
  toParked,
  toQueued,
  toRerouting,
} from '../../shared/domain/lifecycle.js';
import {
  HISTORY_LIMIT,
  nextCheckAt,
  ticketIdFor,
  ticketView,
  withEvent,
} from '../../shared/domain/ticket.js';
import type { RoutingExplanation } from '../../shared/domain/types.js';
import { iso, receivedTicket, T0 } from '../fixtures/tickets.js';

const HOUR = 3_600_000;
const routing = (providerId: string | null, reasons: string[] = []): RoutingExplanation => ({
  decidedAt: iso(T0),
  providerId,
  reason: providerId ? 'best score' : 'no eligible provider',
  candidates: [
    {
      providerId: 'acme',
      eligible: !reasons.length,
      ...(reasons.length ? { reasons: reasons as never } : {}),
    },
  ],
});

describe('a new ticket', () => {
  it('gets a stable id per (source, externalId), dueAt and at-risk instant from the SLA policy, and one history entry', () => {
    const ticket = receivedTicket();
    expect(ticket.ticketId).toBe(ticketIdFor('crm', 'ZD-1'));
    expect(ticketIdFor('crm', 'ZD-1')).not.toBe(ticketIdFor('crm2', 'ZD-1'));
    expect(ticket).toMatchObject({
      status: 'received',
      dueAt: '2026-11-23T14:00:00.000Z',
      sla: { state: 'on_track', breached: false, atRiskAt: '2026-11-23T13:12:00.000Z' },
      history: [{ seq: 1, at: iso(T0), event: 'received' }],
      seq: 1,
      nextCheckAt: '2026-11-23T10:01:00.000Z',
    });
  });
});

describe('transitions', () => {
  it('queues on a provider, counting the attempt and keeping the price', () => {
    const queued = toQueued(
      receivedTicket(),
      { providerId: 'acme', costPerItem: 2.5 },
      routing('acme'),
      false,
      T0 + 1000,
    );
    expect(queued).toMatchObject({
      status: 'queued',
      providerId: 'acme',
      attempts: 1,
      costPerItem: 2.5,
      routedAt: iso(T0 + 1000),
    });
    expect(queued.history.at(-1)).toStrictEqual({
      seq: 2,
      at: iso(T0 + 1000),
      event: 'queued',
      providerId: 'acme',
    });
    expect(queued.nextCheckAt).toBe('2026-11-23T13:12:00.000Z');
  });

  it('flags a best-effort-late routing as at risk at once', () => {
    const queued = toQueued(receivedTicket(), { providerId: 'acme' }, routing('acme'), true, T0);
    expect(queued.sla.state).toBe('at_risk');
    expect(queued.history.map((entry) => entry.event)).toStrictEqual(['received', 'queued', 'sla_at_risk']);
  });

  it('parks with the reasons once, and later re-evaluations only move the timer', () => {
    const parked = toParked(receivedTicket(), routing(null, ['missing_skill']), T0);
    expect(parked.history.at(-1)).toMatchObject({ event: 'parked', reason: 'missing_skill' });
    const again = toParked(parked, routing(null, ['at_capacity']), T0 + 60_000);
    expect(again.history).toStrictEqual(parked.history);
    expect(again.parkedAt).toBe(parked.parkedAt);
    expect(again.nextCheckAt).toBe(iso(T0 + 120_000));
    expect(again.routing?.candidates[0]?.reasons).toStrictEqual(['at_capacity']);
  });

  it('leases, completes on time and clears the lease', () => {
    const leased = toLeased(
      toQueued(receivedTicket(), { providerId: 'acme' }, routing('acme'), false, T0),
      'h',
      iso(T0 + 900_000),
      T0,
    );
    expect(leased.nextCheckAt).toBe(iso(T0 + 900_000));
    const done = toCompleted(leased, 'ok', T0 + HOUR);
    expect(done).toMatchObject({
      status: 'completed',
      completedAt: iso(T0 + HOUR),
      sla: { state: 'met', breached: false },
    });
    expect(done.leaseTokenHash).toBeUndefined();
    expect(done.nextCheckAt).toBeUndefined();
  });

  it('records a completion after dueAt as breached', () => {
    const leased = toLeased(
      toQueued(receivedTicket(), { providerId: 'acme' }, routing('acme'), false, T0),
      'h',
      iso(T0 + 5 * HOUR),
      T0,
    );
    expect(toCompleted(leased, undefined, T0 + 5 * HOUR).sla).toMatchObject({
      state: 'breached',
      breached: true,
    });
  });

  it.each([
    ['released', undefined],
    ['rejected', ['acme']],
    ['expired', undefined],
  ] as const)('sends a %s ticket back to routing', (event, rejectedBy) => {
    const leased = toLeased(
      toQueued(receivedTicket(), { providerId: 'acme' }, routing('acme'), false, T0),
      'h',
      iso(T0 + 60_000),
      T0,
    );
    const back = toRerouting(leased, event, T0 + 1000);
    expect(back).toMatchObject({
      status: 'received',
      providerId: undefined,
      leaseTokenHash: undefined,
      rejectedBy,
    });
    expect(back.history.at(-1)).toMatchObject({ event, providerId: 'acme' });
  });

  it('marks at risk and breached once each', () => {
    const atRisk = toAtRisk(receivedTicket(), T0);
    expect(toAtRisk(atRisk, T0)).toBe(atRisk);
    const breached = toBreached(atRisk, T0);
    expect(toBreached(breached, T0)).toBe(breached);
    expect(breached.history.map((entry) => entry.event)).toStrictEqual([
      'received',
      'sla_at_risk',
      'sla_breached',
    ]);
  });

  it('cancels and closes the timer', () => {
    expect(toCancelled(receivedTicket(), T0, 'duplicate')).toMatchObject({
      status: 'cancelled',
      nextCheckAt: undefined,
    });
  });
});

describe('history and view', () => {
  it(`keeps the last ${HISTORY_LIMIT} entries while the sequence keeps counting`, () => {
    let ticket = receivedTicket();
    for (let index = 0; index < HISTORY_LIMIT + 10; index++)
      ticket = withEvent(ticket, { at: iso(T0), event: 'extended' });
    expect(ticket.history).toHaveLength(HISTORY_LIMIT);
    expect(ticket.seq).toBe(HISTORY_LIMIT + 11);
    expect(ticket.history.at(-1)?.seq).toBe(ticket.seq);
  });

  it('shows the SLA state as of now, without the internal fields', () => {
    const ticket = receivedTicket();
    const sla = (state: string, breached: boolean) => ({
      state,
      breached,
      policyId: 'default',
      pausedSeconds: 0,
      targets: { resolution: { dueAt: '2026-11-23T14:00:00.000Z', breached } },
    });
    expect(ticketView(ticket, T0).sla).toStrictEqual(sla('on_track', false));
    expect(ticketView(ticket, T0 + 3.5 * HOUR).sla).toStrictEqual(sla('at_risk', false));
    expect(ticketView(ticket, T0 + 5 * HOUR).sla).toStrictEqual(sla('breached', true));
    expect(ticketView(ticket, T0).sla).not.toHaveProperty('calendar');
    const view = ticketView(ticket, T0);
    expect(view).not.toHaveProperty('bodyHash');
    expect(view).not.toHaveProperty('leaseTokenHash');
    expect(view.history).toStrictEqual([{ at: iso(T0), event: 'received' }]);
  });

  it('looks at a closed ticket never again', () => {
    expect(nextCheckAt({ ...receivedTicket(), status: 'completed' })).toBeUndefined();
  });
});
