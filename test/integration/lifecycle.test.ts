import { beforeEach, describe, expect, it } from 'vitest';
import { handler as getTicketHandler } from '../../functions/http/get-ticket.js';
import { handler as leaseHandler } from '../../functions/http/lease-tickets.js';
import { getProvider, putProvider } from '../../shared/store/provider-store.js';
import { getTicket } from '../../shared/store/ticket-store.js';
import { cancelTicket } from '../../shared/use-cases/cancel-ticket.js';
import { failOverProvider } from '../../shared/use-cases/fail-over-provider.js';
import {
  completeTicket,
  extendLease,
  leaseTickets,
  returnTicket,
} from '../../shared/use-cases/provider-work.js';
import { sweep } from '../../shared/use-cases/sweep.js';
import { drainRoutingQueue, indexesSettled, TestClock, testContext } from '../fixtures/context.js';
import { providerInput, uniqueId } from '../fixtures/entities.js';
import { applyStreamCounters } from '../fixtures/stream-counters.js';
import { ADMIN, invoke, provider as providerKey, source } from '../fixtures/events.js';
import { expectAuditClean, givenProvider, givenTicket, routeNow } from '../fixtures/routing.js';

const clock = new TestClock(Date.now());
const ctx = testContext(clock);
const admin = ADMIN;

async function queuedTicketOn(capacity = 5) {
  const provider = await givenProvider(ctx, { capacity, skills: { [uniqueId('skill')]: 3 } });
  const skill = Object.keys(provider.skills)[0] as string;
  const sourceId = uniqueId('crm');
  const ticketId = await givenTicket(ctx, sourceId, { skill });
  expect(await routeNow(ctx, [ticketId])).toStrictEqual(['queued']);
  return { provider, skill, sourceId, ticketId };
}

async function leaseOne(providerId: string) {
  const [item] = await leaseTickets(ctx, providerId, { max: 1, leaseSeconds: 60 });
  if (!item) throw new Error('nothing leased');
  return item;
}

describe('provider work: lease, complete, release, reject', () => {
  beforeEach(async () => {
    await drainRoutingQueue();
  });

  it('leases a queued ticket with a token and payload, then completes it and frees the slot', async () => {
    const { provider, ticketId } = await queuedTicketOn();
    const item = await leaseOne(provider.providerId);
    expect(item).toMatchObject({
      ticketId,
      leaseToken: expect.any(String),
      priority: 'P2',
      skill: expect.any(String),
    });
    expect((await getProvider(ctx.table, provider.providerId))?.openItems).toBe(1);
    clock.advance(30);
    const done = await completeTicket(
      ctx,
      { principal: admin, ticketId, leaseToken: item.leaseToken },
      'refunded',
    );
    expect(done.status).toBe('completed');
    const stored = await getTicket(ctx.table, ticketId);
    expect(stored?.history.map((entry) => entry.event)).toStrictEqual([
      'received',
      'queued',
      'leased',
      'completed',
    ]);
    // The slot is given back by the stream consumer, from the change.
    expect((await getProvider(ctx.table, provider.providerId))?.openItems).toBe(1);
    await applyStreamCounters(ctx);
    expect((await getProvider(ctx.table, provider.providerId))?.openItems).toBe(0);
    await expectAuditClean(ctx);
  });

  it('answers 409 for a wrong token or an expired lease, and changes nothing', async () => {
    const { provider, ticketId } = await queuedTicketOn();
    const item = await leaseOne(provider.providerId);
    const before = await getTicket(ctx.table, ticketId);
    await expect(
      completeTicket(ctx, { principal: admin, ticketId, leaseToken: 'wrong' }, undefined),
    ).rejects.toMatchObject({ code: 'conflict' });
    clock.advance(61);
    await expect(
      extendLease(ctx, { principal: admin, ticketId, leaseToken: item.leaseToken }, 60),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect(await getTicket(ctx.table, ticketId)).toStrictEqual(before);
  });

  it('extends a running lease', async () => {
    const { provider, ticketId } = await queuedTicketOn();
    const item = await leaseOne(provider.providerId);
    clock.advance(50);
    const extended = await extendLease(ctx, { principal: admin, ticketId, leaseToken: item.leaseToken }, 300);
    expect(Date.parse(extended.leaseExpiresAt ?? '')).toBe(clock.nowMs + 300_000);
  });

  it('release sends the ticket back to routing, and the same provider may take it again', async () => {
    const { provider, ticketId } = await queuedTicketOn();
    const item = await leaseOne(provider.providerId);
    const released = await returnTicket(
      ctx,
      { principal: admin, ticketId, leaseToken: item.leaseToken },
      'released',
      'shift ended',
    );
    expect(released.status).toBe('received');
    expect(await drainRoutingQueue()).toContain(ticketId);
    expect(await routeNow(ctx, [ticketId])).toStrictEqual(['queued']);
    expect(await getTicket(ctx.table, ticketId)).toMatchObject({
      providerId: provider.providerId,
      attempts: 2,
    });
    await expectAuditClean(ctx);
  });

  it('reject never sends the ticket to that provider again', async () => {
    const { provider, ticketId } = await queuedTicketOn();
    const item = await leaseOne(provider.providerId);
    await returnTicket(
      ctx,
      { principal: admin, ticketId, leaseToken: item.leaseToken },
      'rejected',
      'out of scope',
    );
    expect(await routeNow(ctx, [ticketId])).toStrictEqual(['parked']);
    const parked = await getTicket(ctx.table, ticketId);
    expect(parked?.routing?.candidates.find((c) => c.providerId === provider.providerId)?.reasons).toContain(
      'rejected_before',
    );
    await expectAuditClean(ctx);
  });

  it('gives 20 concurrent lease calls over 10 queued tickets 10 distinct leases', async () => {
    const provider = await givenProvider(ctx, { capacity: 10, skills: { concurrency: 3 } });
    const sourceId = uniqueId('crm');
    const ids = await Promise.all(
      Array.from({ length: 10 }, () => givenTicket(ctx, sourceId, { skill: 'concurrency' })),
    );
    await routeNow(ctx, ids);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => leaseTickets(ctx, provider.providerId, { max: 1, leaseSeconds: 60 })),
    );
    const leased = results.flat().map((item) => item.ticketId);
    expect(leased).toHaveLength(10);
    expect(new Set(leased).size).toBe(10);
    await expectAuditClean(ctx);
  });

  it('hands out a queue earliest dueAt first', async () => {
    const provider = await givenProvider(ctx, { capacity: 10, skills: { ordering: 3 } });
    const sourceId = uniqueId('crm');
    const late = await givenTicket(ctx, sourceId, {
      skill: 'ordering',
      dueAt: new Date(clock.nowMs + 9 * 3600_000).toISOString(),
    });
    const soon = await givenTicket(ctx, sourceId, {
      skill: 'ordering',
      dueAt: new Date(clock.nowMs + 2 * 3600_000).toISOString(),
    });
    await routeNow(ctx, [late, soon]);
    const items = await leaseTickets(ctx, provider.providerId, { max: 5, leaseSeconds: 60 });
    expect(items.map((item) => item.ticketId)).toStrictEqual([soon, late]);
  });
});

describe('timers, failover and cancel', () => {
  it('returns an expired lease to routing on the next sweep', async () => {
    const { provider, ticketId } = await queuedTicketOn();
    await leaseOne(provider.providerId);
    clock.advance(61);
    await indexesSettled(); // the sweeper reads the timers index
    await sweep(ctx);
    const expired = await getTicket(ctx.table, ticketId);
    expect(expired).toMatchObject({ status: 'received', attempts: 1 });
    expect(expired?.history.at(-1)).toMatchObject({ event: 'expired', providerId: provider.providerId });
    expect(await drainRoutingQueue()).toContain(ticketId);
    await routeNow(ctx, [ticketId]);
    expect(await getTicket(ctx.table, ticketId)).toMatchObject({ status: 'queued', attempts: 2 });
    await expectAuditClean(ctx);
  });

  it('is safe to sweep twice at once', async () => {
    const { provider, ticketId } = await queuedTicketOn();
    await leaseOne(provider.providerId);
    clock.advance(61);
    await indexesSettled(); // the sweeper reads the timers index
    await Promise.all([sweep(ctx), sweep(ctx)]);
    const ticket = await getTicket(ctx.table, ticketId);
    expect(ticket?.history.filter((entry) => entry.event === 'expired')).toHaveLength(1);
    await expectAuditClean(ctx);
  });

  it('re-enqueues a ticket whose routing message was lost', async () => {
    const sourceId = uniqueId('crm');
    const ticketId = await givenTicket(ctx, sourceId);
    await drainRoutingQueue();
    clock.advance(61);
    await indexesSettled(); // the sweeper reads the timers index
    await sweep(ctx);
    expect(await drainRoutingQueue()).toContain(ticketId);
  });

  it('moves the queued (not leased) tickets of a provider that goes offline to another provider', async () => {
    const skill = uniqueId('skill');
    const first = await givenProvider(ctx, { capacity: 5, skills: { [skill]: 3 }, costPerItem: 1 });
    const sourceId = uniqueId('crm');
    const ids = [await givenTicket(ctx, sourceId, { skill }), await givenTicket(ctx, sourceId, { skill })];
    await routeNow(ctx, ids);
    const leased = await leaseOne(first.providerId);
    const second = await givenProvider(ctx, { capacity: 5, skills: { [skill]: 3 }, costPerItem: 9 });
    await putProvider(
      ctx.table,
      first.providerId,
      providerInput({ ...first, status: 'offline' }),
      new Date(clock.nowMs).toISOString(),
    );
    expect(await failOverProvider(ctx, first.providerId)).toBe(1);
    const moved = ids.find((id) => id !== leased.ticketId) as string;
    await routeNow(ctx, [moved]);
    expect(await getTicket(ctx.table, moved)).toMatchObject({
      status: 'queued',
      providerId: second.providerId,
    });
    expect(await getTicket(ctx.table, leased.ticketId)).toMatchObject({
      status: 'leased',
      providerId: first.providerId,
    });
    await expectAuditClean(ctx);
  });

  it('cancels a queued ticket, freeing its slot, and refuses to cancel a completed one', async () => {
    const { provider, sourceId, ticketId } = await queuedTicketOn();
    expect(await cancelTicket(ctx, source(sourceId), ticketId)).toStrictEqual({
      ticketId,
      status: 'cancelled',
    });
    await applyStreamCounters(ctx);
    expect((await getProvider(ctx.table, provider.providerId))?.openItems).toBe(0);
    expect(await cancelTicket(ctx, source(sourceId), ticketId)).toStrictEqual({
      ticketId,
      status: 'cancelled',
    });
    const other = await queuedTicketOn();
    const item = await leaseOne(other.provider.providerId);
    await completeTicket(
      ctx,
      { principal: admin, ticketId: other.ticketId, leaseToken: item.leaseToken },
      undefined,
    );
    await expect(cancelTicket(ctx, source(other.sourceId), other.ticketId)).rejects.toMatchObject({
      code: 'conflict',
    });
    await expectAuditClean(ctx);
  });
});

describe('role checks', () => {
  it("refuses a provider key on another provider's lease endpoint with 403", async () => {
    const { provider } = await queuedTicketOn();
    const response = await invoke(leaseHandler, 'POST /v1/providers/{providerId}/lease', {
      principal: providerKey('someone-else'),
      params: { providerId: provider.providerId },
      body: {},
    });
    expect(response.statusCode).toBe(403);
  });

  it('shows a provider only the tickets it holds now', async () => {
    const { provider, ticketId } = await queuedTicketOn();
    const params = { ticketId };
    expect(
      (
        await invoke(getTicketHandler, 'GET /v1/tickets/{ticketId}', {
          principal: providerKey(provider.providerId),
          params,
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (
        await invoke(getTicketHandler, 'GET /v1/tickets/{ticketId}', {
          principal: providerKey('other'),
          params,
        })
      ).statusCode,
    ).toBe(404);
    const item = await leaseOne(provider.providerId);
    await expect(
      completeTicket(
        ctx,
        { principal: providerKey('other'), ticketId, leaseToken: item.leaseToken },
        undefined,
      ),
    ).rejects.toMatchObject({ code: 'not_found' });
  });
});
