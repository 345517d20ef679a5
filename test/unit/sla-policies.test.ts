import { describe, expect, it } from 'vitest';
import {
  toCompleted,
  toLeased,
  toQueued,
  toReprioritized,
  toResponded,
} from '../../shared/domain/lifecycle.js';
import { DEFAULT_SLA_POLICY } from '../../shared/domain/schemas.js';
import {
  matchPolicy,
  reprioritizedSla,
  slaMetrics,
  slaPolicyDefinitionSchema,
  type StoredSlaPolicy,
  ticketSla,
} from '../../shared/domain/sla.js';
import { newTicket } from '../../shared/domain/ticket.js';
import { onTimer } from '../../shared/domain/timer-rules.js';
import { runSimulation } from '../../shared/simulation/engine.js';
import { ticketInput } from '../fixtures/entities.js';

const MINUTE = 60_000;
const weekdays = Object.fromEntries(
  ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => [day, [['09:00', '17:00']] as [string, string][]]),
);
const policy = (policyId: string, body: unknown): StoredSlaPolicy => ({
  ...slaPolicyDefinitionSchema.parse(body),
  policyId,
  updatedAt: '2026-11-01T00:00:00.000Z',
});
const claims = policy('claims', {
  order: 10,
  match: { kind: ['back_office'], skill: ['claims'] },
  calendar: { timeZone: 'America/New_York', businessHours: weekdays, holidays: ['2026-11-26'] },
  targets: {
    P1: { pickupSeconds: 900, firstResponseSeconds: 3600, resolutionSeconds: 14_400 },
    P3: { resolutionSeconds: 28_800 },
  },
});
const anyBackOffice = policy('back-office', {
  order: 20,
  match: { kind: ['back_office'] },
  targets: { P2: { resolutionSeconds: 7200 }, P3: { resolutionSeconds: 100_000 } },
});
const POLICIES = [anyBackOffice, claims];
// Friday 2026-11-20 16:55 New York.
const FRIDAY = '2026-11-20T21:55:00.000Z';
const subject = { sourceId: 'crm', kind: 'back_office', skill: 'claims' } as const;

describe('matching SLA policies', () => {
  it.each([
    ['the lowest order whose fields all match', { ...subject, priority: 'P3' as const }, 'claims'],
    ['a priority without targets falls through', { ...subject, priority: 'P2' as const }, 'back-office'],
    [
      'a field that does not match skips the policy',
      { ...subject, skill: 'billing', priority: 'P3' as const },
      'back-office',
    ],
    ['no policy: the default', { ...subject, kind: 'front_office', priority: 'P3' as const }, undefined],
  ])('%s', (_case, ticket, expected) => {
    expect(matchPolicy(POLICIES, ticket)?.policyId).toBe(expected);
  });

  it('counts targets in business time: the Friday example', () => {
    const { dueAt, sla } = ticketSla({
      subject: { ...subject, priority: 'P3' },
      createdAt: FRIDAY,
      defaultPolicy: DEFAULT_SLA_POLICY,
      policies: POLICIES,
    });
    expect(dueAt).toBe('2026-11-23T21:55:00.000Z');
    expect(sla).toMatchObject({ policyId: 'claims', targets: { resolution: { seconds: 28_800 } } });
    // 80 % of 8 business hours: 6 h 24 min, i.e. Monday 15:19 New York.
    expect(sla.atRiskAt).toBe('2026-11-23T20:19:00.000Z');
  });

  it.each([
    [
      'overlapping windows',
      {
        businessHours: {
          mon: [
            ['09:00', '12:00'],
            ['11:00', '13:00'],
          ],
        },
      },
      'calendar.businessHours.mon',
    ],
    ['no open time at all', { businessHours: { mon: [] } }, 'calendar.businessHours'],
    ['an inverted window', { businessHours: { mon: [['17:00', '09:00']] } }, 'calendar.businessHours.mon.0'],
    ['a malformed time', { businessHours: { mon: [['9:00', '17:00']] } }, 'calendar.businessHours.mon.0.0'],
    ['an unknown zone', { timeZone: 'Mars/Olympus' }, 'calendar.timeZone'],
    ['a holiday that is no date', { holidays: ['2026-02-30'] }, 'calendar.holidays.0'],
  ])('refuses %s with its path', (_case, calendar, path) => {
    const parsed = slaPolicyDefinitionSchema.safeParse({
      calendar: { timeZone: 'America/New_York', ...calendar },
      targets: { P1: { resolutionSeconds: 60 } },
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toContain(path);
  });

  it.each([0, -5, 366 * 86_400 + 1, 1.5])('refuses a target of %s seconds', (seconds) => {
    expect(slaPolicyDefinitionSchema.safeParse({ targets: { P1: { pickupSeconds: seconds } } }).success).toBe(
      false,
    );
  });
});

describe('per-target clocks on a ticket', () => {
  const ticket = () =>
    newTicket({
      sourceId: 'crm',
      input: ticketInput({ externalId: 'C-1', kind: 'back_office', skill: 'claims', priority: 'P1' }),
      bodyHash: 'h',
      // Monday 10:00 New York.
      now: '2026-11-23T15:00:00.000Z',
      slaPolicy: DEFAULT_SLA_POLICY,
      slaPolicies: POLICIES,
    });
  const T = Date.parse('2026-11-23T15:00:00.000Z');
  const routing = { decidedAt: FRIDAY, providerId: 'acme', reason: 'best score', candidates: [] };

  it('sets a timer at the pickup at-risk instant and announces at risk, then breach, once each, with the target', () => {
    const queued = toQueued(ticket(), { providerId: 'acme' }, routing, false, T);
    expect(queued.nextCheckAt).toBe(new Date(T + 12 * MINUTE).toISOString());
    const atRisk = onTimer(queued, T + 12 * MINUTE).next!;
    expect(atRisk.history.at(-1)).toMatchObject({ event: 'sla_at_risk', target: 'pickup' });
    expect(atRisk.nextCheckAt).toBe(new Date(T + 15 * MINUTE).toISOString());
    expect(onTimer(atRisk, T + 13 * MINUTE).next).toBeUndefined();
    const breached = onTimer(atRisk, T + 15 * MINUTE + 1).next!;
    expect(breached.history.at(-1)).toMatchObject({ event: 'sla_breached', target: 'pickup' });
    expect(breached.sla.targets?.pickup).toMatchObject({ breached: true, atRisk: true });
    // First response is next: at risk at 48 min.
    expect(breached.nextCheckAt).toBe(new Date(T + 48 * MINUTE).toISOString());
  });

  it('meets pickup at the first lease, first response when reported, resolution at completion', () => {
    const queued = toQueued(ticket(), { providerId: 'acme' }, routing, false, T);
    const leased = toLeased(queued, 'h', new Date(T + 60 * MINUTE).toISOString(), T + 5 * MINUTE);
    expect(leased.sla.targets?.pickup).toMatchObject({
      metAt: new Date(T + 5 * MINUTE).toISOString(),
      elapsedSeconds: 300,
      breached: false,
    });
    const responded = toResponded(leased, T + 70 * MINUTE);
    expect(responded.history.at(-1)).toMatchObject({ event: 'responded', providerId: 'acme' });
    expect(responded.sla.targets?.firstResponse).toMatchObject({ elapsedSeconds: 4200, breached: true });
    const done = toCompleted(responded, undefined, T + 120 * MINUTE);
    expect(done.sla.targets?.resolution).toMatchObject({ elapsedSeconds: 7200, breached: false });
    const rows = slaMetrics([done], T + 200 * MINUTE);
    expect(rows.map((row) => [row.target, row.met, row.breached, row.p50Seconds])).toStrictEqual([
      ['pickup', 1, 0, 300],
      ['firstResponse', 0, 1, 4200],
      ['resolution', 1, 0, 7200],
    ]);
  });

  it('reprioritised: targets recomputed from createdAt under the policy that now matches, met ones kept', () => {
    const leased = toLeased(
      toQueued(ticket(), { providerId: 'acme' }, routing, false, T),
      'h',
      FRIDAY,
      T + MINUTE,
    );
    const next = ticketSla({
      subject: { ...subject, priority: 'P3' },
      createdAt: leased.createdAt,
      defaultPolicy: DEFAULT_SLA_POLICY,
      policies: POLICIES,
    });
    const after = toReprioritized(
      leased,
      'P3',
      reprioritizedSla(leased, next, T + 2 * MINUTE),
      T + 2 * MINUTE,
    );
    expect(after).toMatchObject({ priority: 'P3', status: 'leased', dueAt: '2026-11-24T15:00:00.000Z' });
    expect(Object.keys(after.sla.targets ?? {})).toStrictEqual(['resolution']);
    expect(after.history.at(-1)).toMatchObject({ event: 'reprioritized', reason: 'P1->P3' });
  });
});

describe('the simulator with SLA policies', () => {
  it('sets each due as production would: a Friday 16:55 P3 under one New York business day is on time on Monday', () => {
    const provider = {
      providerId: 'ny-weekdays',
      status: 'active' as const,
      timeZone: 'America/New_York',
      businessHours: weekdays,
      skills: { claims: 3 },
      capacity: 10,
      throughputPerHour: 2,
      costPerItem: 1,
      qualityScore: 1,
      dataClearance: 'confidential' as const,
    };
    const config = {
      tickets: [{ createdMs: Date.parse(FRIDAY), priority: 'P3' as const, skill: 'claims', workMinutes: 30 }],
      providers: [provider],
      policy: 'outroute' as const,
      seed: 1,
    };
    const businessDay = policy('one-business-day', {
      calendar: { timeZone: 'America/New_York', businessHours: weekdays },
      targets: { P3: { resolutionSeconds: 8 * 3600 } },
    });
    // Calendar time: due Saturday 16:55, and nobody works on Saturday.
    expect(runSimulation(config).onTime).toBe(0);
    expect(runSimulation({ ...config, slaPolicies: [businessDay] }).onTime).toBe(1);
  });
});
