import { describe, expect, it } from 'vitest';
import { handler as processChanges } from '../../functions/stream/process-changes.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { effectiveMinProficiency } from '../../shared/domain/routing.js';
import { getTicket, ticketItem } from '../../shared/store/ticket-store.js';
import { completeTicket, leaseTickets } from '../../shared/use-cases/provider-work.js';
import { drainRoutingQueue, TestClock, testContext } from '../fixtures/context.js';
import { uniqueId } from '../fixtures/entities.js';
import { ADMIN } from '../fixtures/events.js';
import { givenProvider, givenTicket, routeNow } from '../fixtures/routing.js';
import { streamEvent, streamRecord } from '../fixtures/stream.js';

const clock = new TestClock(Date.now());
const ctx = testContext(clock);

/** The provider leases and completes the ticket, and the stream consumer sees the change (freeing its slot). */
async function leaseAndComplete(providerId: string, ticketId: string): Promise<void> {
  const [item] = await leaseTickets(ctx, providerId, { max: 1, leaseSeconds: 60 });
  const before = await getTicket(ctx.table, ticketId);
  await completeTicket(ctx, { principal: ADMIN, ticketId, leaseToken: item?.leaseToken ?? '' }, undefined);
  const after = await getTicket(ctx.table, ticketId);
  await processChanges(
    streamEvent([streamRecord(ticketItem(before as never), ticketItem(after as never))]),
    lambdaContext('process-changes'),
  );
}

describe('work-conserving routing', () => {
  it('wakes a parked ticket as soon as a slot frees, without waiting for the sweeper', async () => {
    const skill = uniqueId('full');
    const provider = await givenProvider(ctx, { capacity: 1, skills: { [skill]: 3 } });
    const sourceId = uniqueId('crm');
    const [first, second] = [
      await givenTicket(ctx, sourceId, { skill }),
      await givenTicket(ctx, sourceId, { skill }),
    ];
    expect(await routeNow(ctx, [first, second])).toStrictEqual(['queued', 'parked']);
    const parked = await getTicket(ctx.table, second);
    expect(parked?.routing?.candidates[0]?.reasons).toStrictEqual(['at_capacity']);
    await drainRoutingQueue();

    await leaseAndComplete(provider.providerId, first);
    expect(await drainRoutingQueue()).toContain(second);
    expect(await routeNow(ctx, [second])).toStrictEqual(['queued']);
  });

  it('a freed slot wakes the parked tickets its provider may take, not older ones nobody can', async () => {
    const skill = uniqueId('billing');
    const provider = await givenProvider(ctx, { capacity: 1, skills: { [skill]: 3 } });
    const sourceId = uniqueId('crm');
    // Two older parked tickets for a skill no provider has: they must not take the wake-ups.
    const orphans = [
      await givenTicket(ctx, sourceId, { skill: uniqueId('nobody-has') }),
      await givenTicket(ctx, sourceId, { skill: uniqueId('nobody-has') }),
    ];
    clock.advance(1);
    const [first, waiting] = [
      await givenTicket(ctx, sourceId, { skill }),
      await givenTicket(ctx, sourceId, { skill }),
    ];
    expect(await routeNow(ctx, [...orphans, first, waiting])).toStrictEqual([
      'parked',
      'parked',
      'queued',
      'parked',
    ]);
    await drainRoutingQueue();

    await leaseAndComplete(provider.providerId, first);
    const woken = await drainRoutingQueue();
    expect(woken).toContain(waiting);
    for (const orphan of orphans) expect(woken).not.toContain(orphan);
  });

  it('relaxes the proficiency a long-parked ticket asks for, one step per interval', async () => {
    const skill = uniqueId('rare');
    const junior = await givenProvider(ctx, { skills: { [skill]: 2 } });
    const ticketId = await givenTicket(ctx, uniqueId('crm'), { skill, minProficiency: 4 });
    expect(await routeNow(ctx, [ticketId])).toStrictEqual(['parked']);
    const parkedAt = Date.parse((await getTicket(ctx.table, ticketId))?.parkedAt ?? '');
    expect(effectiveMinProficiency(4, parkedAt, parkedAt + 900_000, 900)).toBe(3);
    clock.advance(900);
    expect(await routeNow(ctx, [ticketId])).toStrictEqual(['parked']);
    clock.advance(900);
    expect(await routeNow(ctx, [ticketId])).toStrictEqual(['queued']);
    expect(await getTicket(ctx.table, ticketId)).toMatchObject({
      providerId: junior.providerId,
      minProficiency: 2,
      requestedMinProficiency: 4,
    });
  });
});
