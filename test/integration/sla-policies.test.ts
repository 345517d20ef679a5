// SLA policies against DynamoDB Local: the API (and its refusals), matching with fall-through,
// per-target timers from the sweeper, first response, reprioritisation and attainment per target.
import { describe, expect, it } from 'vitest';
import { handler as deletePolicy } from '../../functions/http/delete-named-sla-policy.js';
import { handler as getPolicyById } from '../../functions/http/get-named-sla-policy.js';
import { handler as getSlaMetrics } from '../../functions/http/get-sla-metrics.js';
import { handler as listPolicies } from '../../functions/http/list-sla-policies.js';
import { handler as putPolicy } from '../../functions/http/put-named-sla-policy.js';
import { handler as reprioritize } from '../../functions/http/reprioritize-ticket.js';
import { getTicket } from '../../shared/store/ticket-store.js';
import { cancelTicket } from '../../shared/use-cases/cancel-ticket.js';
import { completeTicket, leaseTickets } from '../../shared/use-cases/provider-work.js';
import {
  reprioritizeTicket,
  respondToTicket,
  slaMetricsReport,
} from '../../shared/use-cases/sla-policies.js';
import { sweep } from '../../shared/use-cases/sweep.js';
import { indexesSettled, TestClock, testContext } from '../fixtures/context.js';
import { uniqueId } from '../fixtures/entities.js';
import { ADMIN, invoke, provider as providerPrincipal, source } from '../fixtures/events.js';
import { givenProvider, givenTicket, routeNow } from '../fixtures/routing.js';

// Monday 2026-11-23 10:00 New York.
const clock = new TestClock(Date.parse('2026-11-23T15:00:00.000Z'));
const ctx = testContext(clock);
const MINUTE = 60;
const weekdays = Object.fromEntries(
  ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => [day, [['09:00', '17:00']]]),
);
const newYork = { timeZone: 'America/New_York', businessHours: weekdays };

const put = (policyId: string, body: unknown) =>
  invoke(putPolicy, 'PUT /v1/sla-policies/{policyId}', { principal: ADMIN, params: { policyId }, body });

describe('the SLA policies API', () => {
  it('creates (201), replaces (200), reads, lists in matching order and deletes', async () => {
    const skill = uniqueId('api');
    const [late, early] = [uniqueId('zz'), uniqueId('aa')];
    const body = { order: 5, match: { skill: [skill] }, targets: { P1: { resolutionSeconds: 600 } } };
    expect((await put(late, body)).statusCode).toBe(201);
    expect((await put(late, body)).statusCode).toBe(200);
    expect((await put(early, { ...body, order: 5 })).statusCode).toBe(201);
    const read = await invoke(getPolicyById, 'GET /v1/sla-policies/{policyId}', {
      principal: ADMIN,
      params: { policyId: late },
    });
    expect(read.body).toMatchObject({
      policyId: late,
      order: 5,
      atRiskFraction: 0.8,
      match: { skill: [skill] },
    });
    const listed = (await invoke(listPolicies, 'GET /v1/sla-policies', { principal: ADMIN })).body.items.map(
      (policy: { policyId: string }) => policy.policyId,
    );
    expect(listed.indexOf(early)).toBeLessThan(listed.indexOf(late));
    expect(
      (
        await invoke(deletePolicy, 'DELETE /v1/sla-policies/{policyId}', {
          principal: ADMIN,
          params: { policyId: late },
        })
      ).statusCode,
    ).toBe(204);
    expect(
      (
        await invoke(getPolicyById, 'GET /v1/sla-policies/{policyId}', {
          principal: ADMIN,
          params: { policyId: late },
        })
      ).statusCode,
    ).toBe(404);
  });

  it.each([
    ['an unknown time zone', { calendar: { timeZone: 'Europe/Atlantis' } }, 'calendar.timeZone'],
    [
      'inverted windows',
      { calendar: { ...newYork, businessHours: { mon: [['17:00', '09:00']] } } },
      'calendar.businessHours.mon.0',
    ],
    [
      'overlapping windows',
      {
        calendar: {
          ...newYork,
          businessHours: {
            tue: [
              ['09:00', '12:00'],
              ['11:30', '14:00'],
            ],
          },
        },
      },
      'calendar.businessHours.tue',
    ],
    [
      'a malformed time',
      { calendar: { ...newYork, businessHours: { mon: [['09:00', '25:00']] } } },
      'calendar.businessHours.mon.0.1',
    ],
    [
      'no open time at all',
      { calendar: { ...newYork, businessHours: { mon: [], sat: [] } } },
      'calendar.businessHours',
    ],
    ['a target of 0', { targets: { P1: { pickupSeconds: 0 } } }, 'targets.P1.pickupSeconds'],
    [
      'a target over 366 days',
      { targets: { P2: { resolutionSeconds: 366 * 86_400 + 1 } } },
      'targets.P2.resolutionSeconds',
    ],
    ['an unknown field', { escalate: true }, 'escalate'],
    ['an unknown target', { targets: { P1: { replySeconds: 60 } } }, 'targets.P1.replySeconds'],
    [
      'a holiday that is not a date',
      { calendar: { ...newYork, holidays: ['next friday'] } },
      'calendar.holidays.0',
    ],
  ])('refuses %s with 400, the field path, and writes nothing', async (_case, change, path) => {
    const policyId = uniqueId('bad');
    const answer = await put(policyId, { targets: { P1: { resolutionSeconds: 600 } }, ...change });
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error.code).toBe('validation_error');
    expect(answer.body.error.details.map((detail: { path: string }) => detail.path)).toContain(path);
    const read = await invoke(getPolicyById, 'GET /v1/sla-policies/{policyId}', {
      principal: ADMIN,
      params: { policyId },
    });
    expect(read.statusCode).toBe(404);
  });

  it('keeps the default policy on its own route', async () => {
    const answer = await put('default', { targets: { P1: { resolutionSeconds: 600 } } });
    expect(answer.statusCode).toBe(400);
    expect(answer.body.error.details[0].path).toBe('policyId');
  });
});

describe('tickets under SLA policies', () => {
  it('take the first matching policy, fall through on a missing priority, else the default; keep it when the policy changes', async () => {
    const skill = uniqueId('claims');
    await put(uniqueId('a-claims'), {
      order: 1,
      match: { skill: [skill], kind: ['back_office'] },
      calendar: newYork,
      targets: { P3: { resolutionSeconds: 8 * 3600 } },
    });
    const fallback = uniqueId('b-any');
    await put(fallback, {
      order: 2,
      match: { skill: [skill] },
      targets: { P2: { resolutionSeconds: 7200 } },
    });
    const sourceId = uniqueId('crm');
    const p3 = await getTicket(
      ctx.table,
      await givenTicket(ctx, sourceId, { skill, kind: 'back_office', priority: 'P3' }),
    );
    const p2 = await getTicket(
      ctx.table,
      await givenTicket(ctx, sourceId, { skill, kind: 'back_office', priority: 'P2' }),
    );
    const p4 = await getTicket(
      ctx.table,
      await givenTicket(ctx, sourceId, { skill, kind: 'back_office', priority: 'P4' }),
    );
    // Monday 10:00 New York + 8 business hours = Tuesday 10:00.
    expect(p3).toMatchObject({
      dueAt: '2026-11-24T15:00:00.000Z',
      sla: { policyId: expect.stringMatching(/^a-claims/) },
    });
    expect(p2).toMatchObject({ dueAt: '2026-11-23T17:00:00.000Z', sla: { policyId: fallback } });
    expect(p4).toMatchObject({ dueAt: '2026-11-26T15:00:00.000Z', sla: { policyId: 'default' } });
    // A later edit applies to tickets created afterwards only.
    await put(fallback, { order: 2, match: { skill: [skill] }, targets: { P2: { resolutionSeconds: 60 } } });
    expect((await getTicket(ctx.table, p2!.ticketId))?.dueAt).toBe('2026-11-23T17:00:00.000Z');
  });

  it('announces pickup at risk and breached once each, from timers at those instants; responds; metrics per target', async () => {
    const skill = uniqueId('pickup');
    const policyId = uniqueId('fast');
    await put(policyId, {
      match: { skill: [skill] },
      targets: {
        P1: {
          pickupSeconds: 10 * MINUTE,
          firstResponseSeconds: 60 * MINUTE,
          resolutionSeconds: 240 * MINUTE,
        },
      },
      atRiskFraction: 0.5,
    });
    const provider = await givenProvider(ctx, { skills: { [skill]: 3 } });
    const createdAt = clock.nowMs;
    const ticketId = await givenTicket(ctx, uniqueId('crm'), { skill, priority: 'P1' });
    await routeNow(ctx, [ticketId]);
    expect((await getTicket(ctx.table, ticketId))?.nextCheckAt).toBe(
      new Date(createdAt + 5 * 60_000).toISOString(),
    );

    const events = async () =>
      (await getTicket(ctx.table, ticketId))!.history
        .filter((entry) => entry.event.startsWith('sla_'))
        .map((entry) => `${entry.event}:${entry.target}`);
    clock.advance(5 * MINUTE);
    await indexesSettled();
    await sweep(ctx);
    await sweep(ctx);
    expect(await events()).toStrictEqual(['sla_at_risk:pickup']);
    clock.advance(5 * MINUTE + 1);
    await indexesSettled();
    await sweep(ctx);
    await sweep(ctx);
    expect(await events()).toStrictEqual(['sla_at_risk:pickup', 'sla_breached:pickup']);

    const [item] = await leaseTickets(ctx, provider.providerId, { max: 1, leaseSeconds: 3600 });
    clock.advance(10 * MINUTE);
    const principal = providerPrincipal(provider.providerId);
    const responded = await respondToTicket(ctx, principal, ticketId, item!.leaseToken);
    expect(responded.firstResponse).toStrictEqual({
      dueAt: new Date(createdAt + 3_600_000).toISOString(),
      breached: false,
    });
    await expect(respondToTicket(ctx, principal, ticketId, item!.leaseToken)).rejects.toMatchObject({
      code: 'conflict',
    });
    clock.advance(10 * MINUTE);
    await completeTicket(ctx, { principal, ticketId, leaseToken: item!.leaseToken }, 'done');

    await indexesSettled(); // the report finds its tickets through an index
    const report = await slaMetricsReport(ctx, { policyId, from: new Date(createdAt - 1000).toISOString() });
    expect(
      report.items.map(({ target, tickets, met, breached, attainment, p50Seconds }) => [
        target,
        tickets,
        met,
        breached,
        attainment,
        p50Seconds,
      ]),
    ).toStrictEqual([
      ['pickup', 1, 0, 1, 0, 601],
      ['firstResponse', 1, 1, 0, 1, 1201],
      ['resolution', 1, 1, 0, 1, 1801],
    ]);
    const viaHttp = await invoke(getSlaMetrics, 'GET /v1/metrics/sla', {
      principal: ADMIN,
      query: { policyId, from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' },
    });
    expect(viaHttp.statusCode).toBe(200);
  });

  it('reprioritised: new targets from createdAt; a queued ticket its provider cannot finish in time is routed again; a leased one keeps its lease; closed → 409', async () => {
    const skill = uniqueId('reprio');
    await put(uniqueId('reprio'), {
      match: { skill: [skill] },
      targets: { P1: { resolutionSeconds: 1800 }, P4: { resolutionSeconds: 86_400 } },
    });
    // Slow: 1 item an hour, so a 30-minute due is out of reach.
    const provider = await givenProvider(ctx, { skills: { [skill]: 3 }, throughputPerHour: 1 });
    const sourceId = uniqueId('crm');
    const queuedId = await givenTicket(ctx, sourceId, { skill, priority: 'P4' });
    const leasedId = await givenTicket(ctx, sourceId, { skill, priority: 'P4' });
    await routeNow(ctx, [leasedId, queuedId]);
    const [leased] = await leaseTickets(ctx, provider.providerId, { max: 1, leaseSeconds: 900 });
    const stillQueued = leased!.ticketId === queuedId ? leasedId : queuedId;
    const created = Date.parse((await getTicket(ctx.table, stillQueued))!.createdAt);

    const moved = await reprioritizeTicket(ctx, source(sourceId), stillQueued, 'P1');
    expect(moved).toMatchObject({
      priority: 'P1',
      dueAt: new Date(created + 1_800_000).toISOString(),
      status: 'received',
    });
    const after = await getTicket(ctx.table, stillQueued);
    expect(after?.history.map((entry) => entry.event).slice(-2)).toStrictEqual(['reprioritized', 'rerouted']);

    const kept = await reprioritizeTicket(ctx, ADMIN, leased!.ticketId, 'P1');
    expect(kept.status).toBe('leased');
    expect((await getTicket(ctx.table, leased!.ticketId))?.leaseExpiresAt).toBe(leased!.leaseExpiresAt);

    await cancelTicket(ctx, ADMIN, stillQueued);
    const closed = await invoke(reprioritize, 'PATCH /v1/tickets/{ticketId}', {
      principal: ADMIN,
      params: { ticketId: stillQueued },
      body: { priority: 'P2' },
    });
    expect(closed.statusCode).toBe(409);
    const bad = await invoke(reprioritize, 'PATCH /v1/tickets/{ticketId}', {
      principal: ADMIN,
      params: { ticketId: stillQueued },
      body: { priority: 'P9' },
    });
    expect(bad.statusCode).toBe(400);
  });
});
