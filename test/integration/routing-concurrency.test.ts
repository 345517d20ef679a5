import { describe, expect, it } from 'vitest';
import { getProvider } from '../../shared/store/provider-store.js';
import { getTicket } from '../../shared/store/ticket-store.js';
import { routeTicket } from '../../shared/use-cases/route-ticket.js';
import { drainRoutingQueue, testContext } from '../fixtures/context.js';
import { uniqueId } from '../fixtures/entities.js';
import { expectAuditClean, givenProvider, givenTicket, newRouter } from '../fixtures/routing.js';

const ctx = testContext();
const ROUTERS = 8;
const TICKETS = 200;

describe('routers racing over the same tickets', () => {
  it('never exceeds a provider capacity, leaves every ticket queued or parked, and keeps counters exact', async () => {
    const skill = uniqueId('race');
    const providers = await Promise.all(
      [3, 5, 7, 11].map((capacity, index) =>
        givenProvider(ctx, { capacity, skills: { [skill]: 3 }, costPerItem: index }, 'small'),
      ),
    );
    const sourceId = uniqueId('crm');
    const ticketIds: string[] = [];
    for (let start = 0; start < TICKETS; start += 20) {
      ticketIds.push(
        ...(await Promise.all(Array.from({ length: 20 }, () => givenTicket(ctx, sourceId, { skill })))),
      );
    }
    await drainRoutingQueue();

    // Each router has its own snapshot (as separate Lambda instances would) and
    // works through every ticket in its own order, so they collide constantly.
    const routers = await Promise.all(Array.from({ length: ROUTERS }, () => newRouter(ctx)));
    const highest = new Map<string, number>();
    let racing = true;
    const sampler = (async () => {
      while (racing) {
        for (const provider of providers) {
          const openItems = (await getProvider(ctx.table, provider.providerId))?.openItems ?? 0;
          highest.set(provider.providerId, Math.max(highest.get(provider.providerId) ?? 0, openItems));
        }
      }
    })();
    const outcomes = await Promise.all(
      routers.map(async (router, index) => {
        const order = ticketIds.map(
          (_, position) => ticketIds[(position * (index + 1) * 7 + index * 13) % TICKETS] as string,
        );
        const results: string[] = [];
        for (const ticketId of order) results.push(await routeTicket(ctx, router, ticketId));
        return results;
      }),
    );
    racing = false;
    await sampler;
    for (const provider of providers)
      expect(highest.get(provider.providerId)).toBeLessThanOrEqual(provider.capacity);

    const tickets = await Promise.all(ticketIds.map((id) => getTicket(ctx.table, id)));
    const statuses = tickets.map((ticket) => ticket?.status);
    expect(statuses.every((status) => status === 'queued' || status === 'parked')).toBe(true);
    const totalCapacity = 3 + 5 + 7 + 11;
    expect(statuses.filter((status) => status === 'queued')).toHaveLength(totalCapacity);
    for (const provider of providers) {
      const stored = await getProvider(ctx.table, provider.providerId);
      const queuedHere = tickets.filter(
        (ticket) => ticket?.status === 'queued' && ticket.providerId === provider.providerId,
      );
      expect(stored?.openItems).toBe(provider.capacity);
      expect(queuedHere).toHaveLength(provider.capacity);
    }
    expect(outcomes.flat().filter((outcome) => outcome === 'queued')).toHaveLength(totalCapacity);
    await expectAuditClean(ctx);
  });
});
