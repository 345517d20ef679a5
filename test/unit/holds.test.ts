import { describe, expect, it } from 'vitest';
import {
  toCompleted,
  toEscalated,
  toLeased,
  toOnHold,
  toQueued,
  toResumed,
  toTransferred,
} from '../../shared/domain/lifecycle.js';
import { DEFAULT_SLA_POLICY } from '../../shared/domain/schemas.js';
import {
  reprioritizedSla,
  slaMetrics,
  slaPolicyDefinitionSchema,
  type StoredSlaPolicy,
  ticketSla,
} from '../../shared/domain/sla.js';
import {
  capacityUnits,
  holdsCapacity,
  newTicket,
  nextCheckAt,
  slaStateAt,
  ticketView,
} from '../../shared/domain/ticket.js';
import { evaluateKpi } from '../../shared/domain/scorecard.js';
import { onTimer } from '../../shared/domain/timer-rules.js';
import type { Ticket } from '../../shared/domain/types.js';
import { ticketInput } from '../fixtures/entities.js';
import { iso, receivedTicket, T0 } from '../fixtures/tickets.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const routing = { decidedAt: iso(T0), providerId: 'acme', reason: 'best score', candidates: [] };

/** Queued at acme and leased at `leasedAtMs`. */
const leasedTicket = (ticket: Ticket, leasedAtMs: number) =>
  toLeased(
    toQueued(
      ticket,
      { providerId: 'acme' },
      routing,
      false,
      ticket.createdAt ? Date.parse(ticket.createdAt) : T0,
    ),
    'h',
    iso(leasedAtMs + HOUR),
    leasedAtMs,
  );

const hold = (ticket: Ticket, atMs: number, options: { until?: number; keepsCapacity?: boolean } = {}) =>
  toOnHold(
    ticket,
    {
      reason: 'awaiting_customer',
      until: options.until === undefined ? undefined : iso(options.until),
      keepsCapacity: options.keepsCapacity ?? true,
      maxHoldSeconds: 7 * 86_400,
    },
    atMs,
  );

describe('a hold stops the SLA clock', () => {
  // Daily 09:00-17:00 New York; DST ends on Sunday 2026-11-01 (that day has 25 hours).
  const everyDay = Object.fromEntries(
    ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [day, [['09:00', '17:00']]]),
  );
  const support: StoredSlaPolicy = {
    ...slaPolicyDefinitionSchema.parse({
      calendar: { timeZone: 'America/New_York', businessHours: everyDay },
      targets: { P3: { resolutionSeconds: 8 * 3600 } },
    }),
    policyId: 'support',
    updatedAt: '2026-10-01T00:00:00.000Z',
  };

  it('across a DST change: the due moves by the business time paused, counted in local hours', () => {
    // Friday 15:00 EDT: 2 h on Friday + 6 h on Saturday → due Saturday 15:00 EDT.
    const created = Date.parse('2026-10-30T19:00:00.000Z');
    const ticket = newTicket({
      sourceId: 'crm',
      input: ticketInput({ externalId: 'DST-1', priority: 'P3' }),
      bodyHash: 'h',
      now: iso(created),
      slaPolicy: DEFAULT_SLA_POLICY,
      slaPolicies: [support],
    });
    expect(ticket.dueAt).toBe('2026-10-31T19:00:00.000Z');
    // Held Saturday 10:00 EDT, resumed Monday 10:00 EST: Sat 7 h + Sun 8 h (the 25-hour day) + Mon 1 h.
    const held = hold(
      leasedTicket(ticket, Date.parse('2026-10-31T13:30:00.000Z')),
      Date.parse('2026-10-31T14:00:00.000Z'),
    );
    const resumed = toResumed(held, 'source', Date.parse('2026-11-02T15:00:00.000Z'));
    expect(resumed.sla.pausedSeconds).toBe(16 * 3600);
    expect(resumed.sla.targets?.resolution?.pausedSeconds).toBe(16 * 3600);
    // 5 business hours were left at the hold: Monday 10:00 → 15:00 EST.
    expect(resumed.dueAt).toBe('2026-11-02T20:00:00.000Z');
    expect(resumed.sla.targets?.resolution?.dueAt).toBe('2026-11-02T20:00:00.000Z');
    expect(resumed.status).toBe('queued');
    expect(resumed.providerId).toBe('acme');

    // Completed right at the new due: met, and its time to meet excludes the pause (8 business hours).
    const leased = toLeased(
      resumed,
      'h2',
      '2026-11-02T21:00:00.000Z',
      Date.parse('2026-11-02T15:05:00.000Z'),
    );
    const done = toCompleted(leased, undefined, Date.parse('2026-11-02T20:00:00.000Z'));
    expect(done.sla.breached).toBe(false);
    expect(done.sla.targets?.resolution?.elapsedSeconds).toBe(8 * 3600);
  });

  it('several holds add up: each moves the due and the at-risk instant later', () => {
    // P2 in calendar time: due 14:00, at risk 13:12.
    let ticket = leasedTicket(receivedTicket(), T0 + 10 * MINUTE);
    ticket = toResumed(hold(ticket, T0 + 30 * MINUTE), 'provider', T0 + HOUR);
    ticket = toLeased(ticket, 'h2', iso(T0 + 3 * HOUR), T0 + HOUR + MINUTE);
    ticket = toResumed(hold(ticket, T0 + 2 * HOUR), 'admin', T0 + 3.5 * HOUR);
    expect(ticket.sla.pausedSeconds).toBe(1800 + 5400);
    expect(ticket.dueAt).toBe(iso(T0 + 6 * HOUR));
    expect(ticket.sla.atRiskAt).toBe(iso(T0 + 5.2 * HOUR));
    expect(ticket.history.filter((entry) => entry.event === 'held')).toHaveLength(2);
    expect(
      ticket.history.filter((entry) => entry.event === 'resumed').map((entry) => entry.reason),
    ).toStrictEqual(['provider', 'admin']);
  });

  it('hold then breach: nothing fires while held, the moved due breaches after the resume', () => {
    const held = hold(leasedTicket(receivedTicket(), T0 + 10 * MINUTE), T0 + 3 * HOUR);
    // The old at-risk (13:12) and due (14:00) pass while held: the clock stands still.
    expect(onTimer(held, T0 + 4.5 * HOUR).next).toBeUndefined();
    expect(slaStateAt(held, T0 + 4.5 * HOUR)).toBe('on_track');
    expect(ticketView(held, T0 + 4.5 * HOUR).sla).toMatchObject({
      state: 'on_track',
      pausedSeconds: 1.5 * 3600,
    });
    const resumed = toResumed(held, 'source', T0 + 5 * HOUR);
    expect(resumed.dueAt).toBe(iso(T0 + 6 * HOUR));
    expect(onTimer(resumed, T0 + 5.5 * HOUR).next?.sla.state).toBe('at_risk');
    const late = onTimer(resumed, T0 + 6 * HOUR + 1000).next;
    expect(late?.sla).toMatchObject({ breached: true, state: 'breached' });
  });

  it('SLA metrics do not count a due passed while held as a breach', () => {
    const held = hold(leasedTicket(receivedTicket(), T0 + 10 * MINUTE), T0 + 3 * HOUR);
    const rows = slaMetrics([held], T0 + 10 * HOUR);
    expect(rows.find((row) => row.target === 'resolution')).toMatchObject({
      tickets: 0,
      breached: 0,
      atRisk: 0,
    });
  });

  it('a reprioritised ticket keeps the time it was paused', () => {
    const resumed = toResumed(hold(leasedTicket(receivedTicket(), T0), T0 + HOUR), 'source', T0 + 2 * HOUR);
    const next = ticketSla({
      subject: { sourceId: 'crm', kind: 'front_office', skill: 'billing', priority: 'P3' },
      createdAt: resumed.createdAt,
      defaultPolicy: DEFAULT_SLA_POLICY,
      policies: [],
    });
    expect(reprioritizedSla(resumed, next, T0 + 2 * HOUR).dueAt).toBe(iso(T0 + 25 * HOUR));
  });
});

describe('the end of a hold', () => {
  const leased = leasedTicket(receivedTicket(), T0 + 10 * MINUTE);

  it('resumes by itself at until; a late timer still ends the pause at until', () => {
    const held = hold(leased, T0 + HOUR, { until: T0 + 2 * HOUR });
    expect(held.nextCheckAt).toBe(iso(T0 + 2 * HOUR));
    expect(onTimer(held, T0 + 2 * HOUR - 1).next).toBeUndefined();
    const { next, route } = onTimer(held, T0 + 2 * HOUR + 30_000);
    expect(route).toBe(false);
    expect(next).toMatchObject({ status: 'queued', providerId: 'acme', dueAt: iso(T0 + 5 * HOUR) });
    expect(next?.history.at(-1)).toMatchObject({ event: 'resumed', reason: 'until' });
  });

  it('held past maxHoldSeconds: cancelled with reason hold_expired, capacity given back', () => {
    const held = hold(leased, T0 + HOUR);
    expect(nextCheckAt(held)).toBe(iso(T0 + HOUR + 7 * 86_400_000));
    expect(onTimer(held, T0 + HOUR + 7 * 86_400_000 - 1).next).toBeUndefined();
    const { next } = onTimer(held, T0 + HOUR + 7 * 86_400_000);
    expect(next).toMatchObject({ status: 'cancelled', hold: undefined });
    expect(next?.history.at(-1)).toMatchObject({
      event: 'cancelled',
      reason: 'hold_expired',
      providerId: 'acme',
    });
    expect(holdsCapacity(next as Ticket)).toBe(false);
  });

  it('an until past the expiry is not kept: the hold expires instead', () => {
    const held = toOnHold(
      leased,
      { reason: 'awaiting_source', until: iso(T0 + 10 * HOUR), keepsCapacity: true, maxHoldSeconds: 3600 },
      T0 + HOUR,
    );
    expect(held.hold?.until).toBeUndefined();
    expect(held.nextCheckAt).toBe(iso(T0 + 2 * HOUR));
  });

  it('a provider that let the capacity go: resumed at until, or routed again a minute later', () => {
    const held = hold(leased, T0 + HOUR, { until: T0 + 2 * HOUR, keepsCapacity: false });
    expect(capacityUnits(held)).toBe(0);
    expect(onTimer(held, T0 + 2 * HOUR).next?.status).toBe('queued');
    const late = onTimer(held, T0 + 2 * HOUR + MINUTE);
    expect(late.route).toBe(true);
    expect(late.next).toMatchObject({ status: 'received', providerId: undefined });
  });
});

describe('capacity held, in effort units', () => {
  it('queued, leased and held-with-capacity tickets hold their effort; others none', () => {
    const ticket = receivedTicket({ effort: 5 });
    const leased = leasedTicket(ticket, T0);
    expect(capacityUnits(ticket)).toBe(0);
    expect(capacityUnits(leased)).toBe(5);
    expect(capacityUnits(hold(leased, T0 + MINUTE))).toBe(5);
    expect(capacityUnits(hold(leased, T0 + MINUTE, { keepsCapacity: false }))).toBe(0);
    expect(capacityUnits(receivedTicket())).toBe(0);
    expect(capacityUnits(leasedTicket(receivedTicket(), T0))).toBe(1);
  });
});

describe('escalation and transfer', () => {
  it('escalation: routed again for the new skill, same createdAt and due, not a rejection', () => {
    const leased = leasedTicket(receivedTicket(), T0 + 10 * MINUTE);
    const escalated = toEscalated(
      leased,
      { skill: 'billing-tier2', minProficiency: 3, note: 'needs a refund' },
      T0 + HOUR,
    );
    expect(escalated).toMatchObject({
      status: 'received',
      skill: 'billing-tier2',
      minProficiency: 3,
      requestedMinProficiency: 3,
      providerId: undefined,
      createdAt: leased.createdAt,
      dueAt: leased.dueAt,
      leaseTokenHash: undefined,
    });
    expect(escalated.rejectedBy ?? []).toStrictEqual([]);
    expect(escalated.history.at(-1)).toMatchObject({
      event: 'escalated',
      providerId: 'acme',
      reason: 'billing->billing-tier2',
      note: 'needs a refund',
    });
  });

  it('transfer: the provider changes; a held ticket keeps capacity as the new provider says', () => {
    const held = hold(leasedTicket(receivedTicket(), T0), T0 + MINUTE);
    const moved = toTransferred(
      held,
      { providerId: 'beta', costPerItem: 4, holdKeepsCapacity: false },
      T0 + HOUR,
    );
    expect(moved).toMatchObject({ status: 'on_hold', providerId: 'beta', costPerItem: 4 });
    expect(moved.hold?.keepsCapacity).toBe(false);
    expect(moved.history.at(-1)).toMatchObject({ event: 'transferred', providerId: 'beta' });
  });
});

describe('hold_rate as a contract KPI', () => {
  it('holds per lease, judged against a max like the other rates', () => {
    const kpi = { id: 'holds', metric: 'hold_rate' as const, max: 0.2, credit: { percentOfFees: 1 } };
    expect(evaluateKpi(kpi, { held: 3, leased: 10 }, 1_000_000, 2)).toMatchObject({
      actual: 0.3,
      met: false,
      credit: '100.00',
    });
    expect(evaluateKpi(kpi, { held: 1, leased: 10 }, 1_000_000, 2)).toMatchObject({ met: true });
  });
});
