// A routing batch reserves the tickets going to one provider in one
// transaction: the same decisions as one by one, capacity exact, and a group
// refused falls back to one-by-one routing.
import { describe, expect, it } from 'vitest';
import { getProvider } from '../../shared/store/provider-store.js';
import { getTicket, getTickets } from '../../shared/store/ticket-store.js';
import { routeTicket, routeTogether } from '../../shared/use-cases/route-ticket.js';
import { drainRoutingQueue, testContext } from '../fixtures/context.js';
import { uniqueId } from '../fixtures/entities.js';
import { expectAuditClean, givenProvider, givenTicket, newRouter } from '../fixtures/routing.js';

const ctx = testContext();

async function givenTickets(skill: string, count: number): Promise<string[]> {
  const sourceId = uniqueId('crm');
  const ids = await Promise.all(Array.from({ length: count }, () => givenTicket(ctx, sourceId, { skill })));
  await drainRoutingQueue();
  return ids;
}

describe('routing a batch together', () => {
  it('queues a batch in one transaction per provider, with explanations, capacity exact', async () => {
    const skill = uniqueId('together');
    const cheap = await givenProvider(ctx, { capacity: 6, skills: { [skill]: 3 }, costPerItem: 1 });
    const dear = await givenProvider(ctx, { capacity: 20, skills: { [skill]: 3 }, costPerItem: 5 });
    const ids = await givenTickets(skill, 10);
    const { queued, reread } = await routeTogether(
      ctx,
      await newRouter(ctx),
      await getTickets(ctx.table, ids),
    );
    expect([...queued].sort()).toStrictEqual([...ids].sort());
    expect(reread.size).toBe(0);
    const tickets = await getTickets(ctx.table, ids);
    expect(tickets.every((ticket) => ticket.status === 'queued' && ticket.routing?.providerId)).toBe(true);
    const at = (providerId: string) => tickets.filter((ticket) => ticket.providerId === providerId).length;
    expect(at(cheap.providerId) + at(dear.providerId)).toBe(10);
    expect((await getProvider(ctx.table, cheap.providerId))?.openItems).toBe(at(cheap.providerId));
    expect((await getProvider(ctx.table, dear.providerId))?.openItems).toBe(at(dear.providerId));
    await expectAuditClean(ctx);
  });

  it('leaves a refused group to one-by-one routing, which routes what fits and parks the rest', async () => {
    const skill = uniqueId('refused');
    const provider = await givenProvider(ctx, { capacity: 4, skills: { [skill]: 3 } });
    const ids = await givenTickets(skill, 6);
    const router = await newRouter(ctx);
    // Another router took two slots since this one's snapshot: the group of four no longer fits.
    const other = await givenTickets(skill, 2);
    for (const id of other) await routeTicket(ctx, await newRouter(ctx), id);
    const { queued } = await routeTogether(ctx, router, await getTickets(ctx.table, ids));
    expect(queued.size).toBe(0);
    const outcomes = [];
    for (const id of ids) outcomes.push(await routeTicket(ctx, router, id, await getTicket(ctx.table, id)));
    expect(outcomes.filter((outcome) => outcome === 'queued')).toHaveLength(2);
    expect(outcomes.filter((outcome) => outcome === 'parked')).toHaveLength(4);
    expect((await getProvider(ctx.table, provider.providerId))?.openItems).toBe(4);
    await expectAuditClean(ctx);
  });

  it('queues each ticket once when routers race batches over the same tickets', async () => {
    const skill = uniqueId('race-together');
    const providers = await Promise.all(
      [3, 5, 7].map((capacity, index) =>
        givenProvider(ctx, { capacity, skills: { [skill]: 3 }, costPerItem: index }),
      ),
    );
    const ids = await givenTickets(skill, 30);
    const routers = await Promise.all(Array.from({ length: 4 }, () => newRouter(ctx)));
    await Promise.all(
      routers.map(async (router, index) => {
        for (let start = 0; start < ids.length; start += 10) {
          const batch = ids.slice(
            (start + index * 10) % ids.length,
            ((start + index * 10) % ids.length) + 10,
          );
          const tickets = await getTickets(ctx.table, batch);
          const { queued, reread } = await routeTogether(ctx, router, tickets);
          for (const ticket of tickets)
            if (!queued.has(ticket.ticketId))
              await routeTicket(
                ctx,
                router,
                ticket.ticketId,
                reread.has(ticket.ticketId) ? undefined : ticket,
              );
        }
      }),
    );
    const tickets = await getTickets(ctx.table, ids);
    const queuedCount = tickets.filter((ticket) => ticket.status === 'queued').length;
    expect(queuedCount).toBe(3 + 5 + 7);
    expect(tickets.every((ticket) => ticket.status === 'queued' || ticket.status === 'parked')).toBe(true);
    // The explanation kept is the one acted on, whichever router wrote first.
    for (const ticket of tickets.filter((each) => each.status === 'queued'))
      expect(ticket.routing?.providerId).toBe(ticket.providerId);
    for (const provider of providers)
      expect((await getProvider(ctx.table, provider.providerId))?.openItems).toBe(provider.capacity);
    await expectAuditClean(ctx);
  });
});
