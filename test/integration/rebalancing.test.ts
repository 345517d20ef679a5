import { describe, expect, it } from 'vitest';
import { getProvider } from '../../shared/store/provider-store.js';
import { getTicket } from '../../shared/store/ticket-store.js';
import { leaseTickets } from '../../shared/use-cases/provider-work.js';
import { drainRoutingQueue, TestClock, testContext } from '../fixtures/context.js';
import { uniqueId } from '../fixtures/entities.js';
import { applyStreamCounters } from '../fixtures/stream-counters.js';
import { expectAuditClean, givenProvider, givenTicket, routeNow } from '../fixtures/routing.js';

const clock = new TestClock(Date.now());
const ctx = testContext(clock);

/** Open one hour a day, twelve hours away from now: closed for the whole test. */
function closedNow() {
  const hour = (new Date(clock.now()).getUTCHours() + 12) % 24;
  const pad = (h: number) => String(h).padStart(2, '0');
  const window: [string, string] = [`${pad(hour)}:00`, hour === 23 ? '24:00' : `${pad(hour + 1)}:00`];
  const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
  return Object.fromEntries(days.map((day) => [day, [window]]));
}

describe('work conservation: an idle open provider takes over work waiting at a closed one', () => {
  it('moves queued tickets under concurrent leases: no double lease, capacity held, counters exact', async () => {
    const skill = uniqueId('claims');
    const closed = await givenProvider(
      ctx,
      { skills: { [skill]: 3 }, capacity: 20, costPerItem: 2, businessHours: closedNow() },
      'closed',
    );
    const sourceId = uniqueId('crm');
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push(await givenTicket(ctx, sourceId, { skill, priority: 'P4' }));
    expect(new Set(await routeNow(ctx, ids))).toStrictEqual(new Set(['queued']));
    await drainRoutingQueue();

    // No dearer than the closed one, open now, room for five.
    const open = await givenProvider(ctx, { skills: { [skill]: 3 }, capacity: 5, costPerItem: 2 }, 'open');
    const batches = await Promise.all(
      [1, 2, 3, 4].map(() => leaseTickets(ctx, open.providerId, { max: 3, leaseSeconds: 300 })),
    );
    const leased = batches.flat();
    const leasedIds = leased.map((item) => item.ticketId);
    expect(new Set(leasedIds).size).toBe(leasedIds.length);
    expect(leased.length).toBe(5);

    for (const id of leasedIds) {
      const ticket = await getTicket(ctx.table, id);
      expect(ticket).toMatchObject({ status: 'leased', providerId: open.providerId });
      expect(ticket?.history.find((entry) => entry.event === 'rebalanced')).toMatchObject({
        providerId: open.providerId,
        reason: 'sooner',
      });
    }
    expect((await getProvider(ctx.table, open.providerId))?.openItems).toBe(5);
    // What the closed provider gave back is applied by the stream consumer, from the changes.
    await applyStreamCounters(ctx);
    expect((await getProvider(ctx.table, closed.providerId))?.openItems).toBe(7);
    await expectAuditClean(ctx);
  });

  it('leaves work with a cheaper closed provider that will still finish it on time', async () => {
    const skill = uniqueId('billing');
    await givenProvider(
      ctx,
      { skills: { [skill]: 3 }, capacity: 20, costPerItem: 1, businessHours: closedNow() },
      'cheap',
    );
    const id = await givenTicket(ctx, uniqueId('crm'), { skill, priority: 'P4' });
    await routeNow(ctx, [id]);
    await drainRoutingQueue();
    const dear = await givenProvider(ctx, { skills: { [skill]: 3 }, costPerItem: 5 }, 'dear');
    expect(await leaseTickets(ctx, dear.providerId, { max: 5, leaseSeconds: 300 })).toStrictEqual([]);
    expect((await getTicket(ctx.table, id))?.status).toBe('queued');
  });
});
