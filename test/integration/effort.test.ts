// Effort units against DynamoDB Local: capacity is never exceeded in units, under racing routers and a
// capacity edit racing a reservation; holds, resumes, completions and transfers keep the count exact.
import { beforeEach, describe, expect, it } from 'vitest';
import { getProvider, putProvider } from '../../shared/store/provider-store.js';
import { getTicket } from '../../shared/store/ticket-store.js';
import { transferTicket } from '../../shared/use-cases/escalation.js';
import { holdTicket, resumeTicket } from '../../shared/use-cases/holds.js';
import { completeTicket, leaseTickets } from '../../shared/use-cases/provider-work.js';
import { routeTicket } from '../../shared/use-cases/route-ticket.js';
import { applyStreamCounters } from '../fixtures/stream-counters.js';
import { drainRoutingQueue, indexesSettled, testContext } from '../fixtures/context.js';
import { providerInput, uniqueId } from '../fixtures/entities.js';
import { ADMIN } from '../fixtures/events.js';
import { expectAuditClean, givenProvider, givenTicket, newRouter, routeNow } from '../fixtures/routing.js';

const ctx = testContext();
/** A provider's open units once the capacity given back so far is counted (the stream consumer's job). */
const openItems = async (providerId: string) => {
  await applyStreamCounters(ctx);
  return (await getProvider(ctx.table, providerId))?.openItems;
};

describe('capacity in effort units', () => {
  beforeEach(async () => {
    await drainRoutingQueue();
  });

  it('racing routers never put more units on a provider than its capacity', async () => {
    const skill = uniqueId('effort');
    const provider = await givenProvider(ctx, { capacity: 10, skills: { [skill]: 3 } });
    const sourceId = uniqueId('crm');
    const ticketIds = await Promise.all(
      Array.from({ length: 8 }, () => givenTicket(ctx, sourceId, { skill, effort: 3 })),
    );
    await drainRoutingQueue();
    const routers = await Promise.all(Array.from({ length: 4 }, () => newRouter(ctx)));
    await Promise.all(
      routers.map(async (router, index) => {
        for (const id of [...ticketIds.slice(index * 2), ...ticketIds.slice(0, index * 2)])
          await routeTicket(ctx, router, id);
      }),
    );
    const tickets = await Promise.all(ticketIds.map((id) => getTicket(ctx.table, id)));
    const queued = tickets.filter((ticket) => ticket?.status === 'queued');
    expect(queued).toHaveLength(3);
    expect(await openItems(provider.providerId)).toBe(9);
    const parked = tickets.find((ticket) => ticket?.status === 'parked');
    const reasons = parked?.routing?.candidates.find((c) => c.providerId === provider.providerId)?.reasons;
    expect(reasons).toStrictEqual(['at_capacity']);
    await expectAuditClean(ctx);
  });

  it('a capacity edit racing a reservation: the stale snapshot’s reservation fails, nothing is exceeded', async () => {
    const skill = uniqueId('effort');
    const provider = await givenProvider(ctx, { capacity: 10, skills: { [skill]: 3 } });
    const ticketId = await givenTicket(ctx, uniqueId('crm'), { skill, effort: 5 });
    const router = await newRouter(ctx);
    // The router's snapshot says 10; the provider shrinks to 4 before the reservation is written.
    await putProvider(
      ctx.table,
      provider.providerId,
      providerInput({
        timeZone: 'UTC',
        businessHours: undefined,
        holidays: undefined,
        capacity: 4,
        skills: { [skill]: 3 },
      }),
      new Date(ctx.now()).toISOString(),
    );
    expect(await routeTicket(ctx, router, ticketId)).toBe('parked');
    expect(await openItems(provider.providerId)).toBe(0);
    const parked = await getTicket(ctx.table, ticketId);
    expect(
      parked?.routing?.candidates.find((c) => c.providerId === provider.providerId)?.reasons,
    ).toStrictEqual(['too_large']);
    await expectAuditClean(ctx);
  });

  it('hold → resume → complete and a transfer keep the units exact', async () => {
    const skill = uniqueId('effort');
    const keeps = await givenProvider(ctx, { capacity: 6, skills: { [skill]: 3 }, costPerItem: 1 });
    const ticketId = await givenTicket(ctx, uniqueId('crm'), { skill, effort: 4 });
    expect(await routeNow(ctx, [ticketId])).toStrictEqual(['queued']);
    const at = (await getTicket(ctx.table, ticketId))?.providerId ?? '';
    expect(await openItems(at)).toBe(4);
    const [item] = await leaseTickets(ctx, at, { max: 1, leaseSeconds: 600 });
    expect(item).toMatchObject({ ticketId, effort: 4 });
    await holdTicket(
      ctx,
      { principal: ADMIN, ticketId, leaseToken: item?.leaseToken ?? '' },
      { reason: 'awaiting_customer' },
    );
    expect(await openItems(at)).toBe(4);
    // A provider with 3 free units cannot take a 4-unit ticket: 409, nothing moves.
    const small = await givenProvider(ctx, { capacity: 3, skills: { [skill]: 3 } });
    await expect(transferTicket(ctx, ADMIN, ticketId, small.providerId)).rejects.toMatchObject({
      code: 'conflict',
      details: [{ path: 'providerId', message: 'too_large' }],
    });
    const roomy = await givenProvider(ctx, { capacity: 8, skills: { [skill]: 3 } });
    await transferTicket(ctx, ADMIN, ticketId, roomy.providerId);
    expect(await openItems(at)).toBe(0);
    expect(await openItems(roomy.providerId)).toBe(4);
    await resumeTicket(ctx, ADMIN, ticketId, undefined);
    await indexesSettled(); // the provider's queue is an index: the resumed ticket shows there after the lag
    const [again] = await leaseTickets(ctx, roomy.providerId, { max: 1, leaseSeconds: 600 });
    await completeTicket(ctx, { principal: ADMIN, ticketId, leaseToken: again?.leaseToken ?? '' }, undefined);
    expect(await openItems(roomy.providerId)).toBe(0);
    expect(keeps.providerId === at || (await openItems(keeps.providerId)) === 0).toBe(true);
    await expectAuditClean(ctx);
  });
});
