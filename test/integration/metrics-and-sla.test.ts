import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { handler as getBacklog } from '../../functions/http/get-backlog.js';
import { handler as getProviderMetrics } from '../../functions/http/get-provider-metrics.js';
import { handler as processChanges } from '../../functions/stream/process-changes.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { readHourlyCounts, sumCounts } from '../../shared/store/metric-store.js';
import { getTicket, ticketItem } from '../../shared/store/ticket-store.js';
import { completeTicket, leaseTickets } from '../../shared/use-cases/provider-work.js';
import { sweep } from '../../shared/use-cases/sweep.js';
import { drainRoutingQueue, TestClock, testContext } from '../fixtures/context.js';
import { uniqueId } from '../fixtures/entities.js';
import { ADMIN, invoke } from '../fixtures/events.js';
import { givenProvider, givenTicket, routeNow } from '../fixtures/routing.js';
import { streamEvent, streamRecord } from '../fixtures/stream.js';

const clock = new TestClock(Date.parse('2026-11-23T10:00:00.000Z'));
const ctx = testContext(clock);

/** Feeds a ticket's change to the stream consumer, as the table stream would. */
async function replayChange(ticketId: string, change: () => Promise<unknown>) {
  const before = await getTicket(ctx.table, ticketId);
  await change();
  const after = await getTicket(ctx.table, ticketId);
  const record = streamRecord(before && ticketItem(before), ticketItem(after as NonNullable<typeof after>));
  return { record, deliver: () => processChanges(streamEvent([record]), lambdaContext('process-changes')) };
}

const countsOf = async (providerId: string) =>
  sumCounts(await readHourlyCounts(ctx.table, providerId, '2026-11-22T00', '2026-11-30T00'));

describe('metrics from the table stream', () => {
  it('counts a routed and a completed ticket once, however often the stream replays the record', async () => {
    const skill = uniqueId('metrics');
    const provider = await givenProvider(ctx, { skills: { [skill]: 3 }, costPerItem: 4 });
    const ticketId = await givenTicket(ctx, uniqueId('crm'), { skill });
    const routed = await replayChange(ticketId, () => routeNow(ctx, [ticketId]));
    await routed.deliver();
    await routed.deliver();
    await processChanges(streamEvent([routed.record, routed.record]), lambdaContext('process-changes'));
    expect(await countsOf(provider.providerId)).toMatchObject({ routed: 1, completed: 0 });

    const [item] = await leaseTickets(ctx, provider.providerId, { max: 1, leaseSeconds: 600 });
    const lease = await replayChange(ticketId, async () => undefined);
    await lease.deliver();
    clock.advance(300);
    const completed = await replayChange(ticketId, () =>
      completeTicket(ctx, { principal: ADMIN, ticketId, leaseToken: item?.leaseToken ?? '' }, 'done'),
    );
    await completed.deliver();
    await completed.deliver();
    expect(await countsOf(provider.providerId)).toMatchObject({
      routed: 1,
      completed: 1,
      completedOnTime: 1,
      breached: 0,
      handleSeconds: 300,
      cost: 4,
    });

    const metrics = await invoke(getProviderMetrics, 'GET /v1/metrics/providers', {
      principal: ADMIN,
      query: { from: '2026-11-23T00:00:00.000Z', to: '2026-11-23T23:59:59.000Z' },
    });
    expect(
      metrics.body.items.find((row: { providerId: string }) => row.providerId === provider.providerId),
    ).toMatchObject({
      routed: 1,
      completed: 1,
      breached: 0,
      slaAttainment: 1,
      avgHandleSeconds: 300,
      openItems: 0,
      utilization: 0,
      costTotal: 4,
    });
  });

  it('publishes each new history entry as an event out', async () => {
    const skill = uniqueId('events');
    await givenProvider(ctx, { skills: { [skill]: 3 } });
    const ticketId = await givenTicket(ctx, uniqueId('crm'), { skill });
    const routed = await replayChange(ticketId, () => routeNow(ctx, [ticketId]));
    await routed.deliver();
    const lines = readFileSync(process.env.EVENT_LOG_FILE ?? '', 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.filter((event) => event.ticketId === ticketId).map((event) => event.type)).toStrictEqual([
      'ticket.queued',
    ]);
  });

  it('answers 400 when from is after to', async () => {
    const response = await invoke(getProviderMetrics, 'GET /v1/metrics/providers', {
      principal: ADMIN,
      query: { from: '2026-11-24T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z' },
    });
    expect(response.statusCode).toBe(400);
  });
});

describe('the SLA clock', () => {
  it('marks a ticket at risk and then breached, once each, with its events', async () => {
    const skill = uniqueId('sla');
    await givenProvider(ctx, { skills: { [skill]: 3 } });
    const ticketId = await givenTicket(ctx, uniqueId('crm'), { skill, priority: 'P1' });
    await routeNow(ctx, [ticketId]);
    clock.advance(47 * 60);
    await sweep(ctx);
    expect((await getTicket(ctx.table, ticketId))?.sla.state).toBe('on_track');
    clock.advance(2 * 60);
    await sweep(ctx);
    await sweep(ctx);
    const atRisk = await getTicket(ctx.table, ticketId);
    expect(atRisk?.sla).toMatchObject({ state: 'at_risk', breached: false });
    clock.advance(12 * 60);
    await sweep(ctx);
    await sweep(ctx);
    const breached = await getTicket(ctx.table, ticketId);
    expect(breached?.sla).toMatchObject({ state: 'breached', breached: true });
    const events = breached?.history.map((entry) => entry.event);
    expect(events?.filter((event) => event === 'sla_at_risk')).toHaveLength(1);
    expect(events?.filter((event) => event === 'sla_breached')).toHaveLength(1);
    // The backlog is counted from the stream: here the ticket's whole life as one change.
    await processChanges(
      streamEvent([streamRecord(undefined, ticketItem(breached as NonNullable<typeof breached>))]),
      lambdaContext('process-changes'),
    );
    const backlog = await invoke(getBacklog, 'GET /v1/metrics/backlog', { principal: ADMIN });
    expect(backlog.body.items.find((row: { skill: string }) => row.skill === skill)).toMatchObject({
      priority: 'P1',
      queued: 1,
      atRisk: 1,
    });
  });

  it('re-routes at-risk tickets from a provider that will not make it, only as many as needed, and counts them', async () => {
    const skill = uniqueId('reroute');
    const slow = await givenProvider(
      ctx,
      { skills: { [skill]: 3 }, throughputPerHour: 1, costPerItem: 1 },
      'slow',
    );
    const ids: string[] = [];
    for (let index = 0; index < 10; index++)
      ids.push(await givenTicket(ctx, uniqueId('crm'), { skill, priority: 'P3' }));
    await routeNow(ctx, ids);
    const queuedOnSlow = await Promise.all(ids.map((id) => getTicket(ctx.table, id)));
    expect(queuedOnSlow.every((ticket) => ticket?.providerId === slow.providerId)).toBe(true);
    const fast = await givenProvider(
      ctx,
      { skills: { [skill]: 3 }, throughputPerHour: 100, costPerItem: 9 },
      'fast',
    );
    await drainRoutingQueue();
    // 80% of the 24 h window gone: 4.8 h left, and the slow provider needs 10 h for its 10 items.
    clock.advance(0.8 * 86400 + 60);
    await sweep(ctx);
    const after = await Promise.all(ids.map((id) => getTicket(ctx.table, id)));
    const rerouted = after.filter((ticket) => ticket?.history.some((entry) => entry.event === 'rerouted'));
    // Each is judged from its place in the work order with the default safety margin (z = 2): the first
    // needs 1 + 2·√1 = 3 h of the 4.8 h left, the second 2 + 2·√2 ≈ 4.83 h, too much. Nine leave.
    expect(rerouted).toHaveLength(9);
    expect(after.every((ticket) => ticket?.sla.state === 'at_risk')).toBe(true);
    const movedIds = rerouted.map((ticket) => ticket?.ticketId as string);
    expect(await drainRoutingQueue()).toEqual(expect.arrayContaining(movedIds));
    await routeNow(ctx, movedIds);
    for (const id of movedIds) expect((await getTicket(ctx.table, id))?.providerId).toBe(fast.providerId);
    const first = movedIds[0] as string;
    const ticket = await getTicket(ctx.table, first);
    const beforeReroute = {
      ...ticket,
      history: ticket?.history.slice(0, 3),
      seq: 3,
      status: 'queued',
      providerId: slow.providerId,
    };
    await processChanges(
      streamEvent([streamRecord(ticketItem(beforeReroute as never), ticketItem(ticket as never))]),
      lambdaContext('process-changes'),
    );
    expect((await countsOf(slow.providerId)).rerouted).toBe(1);
  });
});
