// The router's provider snapshot refreshed by change (issue 17, point 6), against DynamoDB Local: every
// request a refresh sends is counted. An unchanged provider costs its list entry only; a provider that
// changed (a ticket routed to it, capacity given back, a contract) has its queue, counts and contract read
// again, alone; and after each change the snapshot equals a full load taken at the same instant.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { ProviderSnapshot } from '../../shared/domain/types.js';
import { providerDirectoryKey } from '../../shared/store/keys.js';
import { putProvider } from '../../shared/store/provider-store.js';
import type { AppContext } from '../../shared/use-cases/context.js';
import { putContract } from '../../shared/use-cases/contracts.js';
import {
  CHANGE_SETTLE_MS,
  loadProviderSnapshot,
  PARTS_MAX_AGE_MS,
  ProviderSnapshotCache,
  SNAPSHOT_TTL_MS,
} from '../../shared/use-cases/provider-snapshot.js';
import { completeTicket, leaseTickets } from '../../shared/use-cases/provider-work.js';
import { routeTicket } from '../../shared/use-cases/route-ticket.js';
import { drainRoutingQueue, indexesSettled, TestClock, testContext } from '../fixtures/context.js';
import { providerInput, uniqueId } from '../fixtures/entities.js';
import { ADMIN } from '../fixtures/events.js';
import { givenProvider, givenTicket, newRouter, routeNow } from '../fixtures/routing.js';
import { applyStreamCounters } from '../fixtures/stream-counters.js';

const clock = new TestClock();
const ctx = testContext(clock);

/** Every command sent through the snapshot's context (the faults' own reads go through another client). */
const sent: { name: string; input: Record<string, unknown> }[] = [];
const counted: AppContext = {
  ...ctx,
  table: {
    ...ctx.table,
    db: new Proxy(ctx.table.db, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver) as unknown;
        return (command: { constructor: { name: string }; input: Record<string, unknown> }, ...rest: []) => {
          sent.push({ name: command.constructor.name, input: command.input });
          return target.send(command as never, ...rest);
        };
      },
    }) as DynamoDBDocumentClient,
  },
};

/** The requests a call sends: the provider list's, and the parts' per provider named in them. */
async function requestsOf<T>(
  call: () => Promise<T>,
): Promise<{ result: T; list: number; parts: Record<string, number> }> {
  sent.length = 0;
  const result = await call();
  let list = 0;
  const parts: Record<string, number> = {};
  for (const { name, input } of sent) {
    const directory =
      name === 'GetCommand' && (input.Key as { pk?: string }).pk === providerDirectoryKey().pk;
    const legacyListing = name === 'QueryCommand' && input.IndexName === 'by-status';
    if (directory || legacyListing || name === 'BatchGetCommand') {
      list++;
      continue;
    }
    const providerId = /bpo-[0-9a-z]+-[0-9a-z]+/.exec(JSON.stringify(input))?.[0] ?? `other:${name}`;
    parts[providerId] = (parts[providerId] ?? 0) + 1;
  }
  return { result, list, parts };
}

/** The list's reads: the directory item, the legacy listing partition, one batch read of the items. */
const LIST_READS = 3;
/** A provider's parts: hourly counts, queue, contract versions, QA days (and KPI months with a minimum). */
const PART_READS = 4;

const fullLoad = async () =>
  new Map((await loadProviderSnapshot(ctx)).map((provider) => [provider.providerId, provider]));

const byId = (snapshot: Map<string, ProviderSnapshot>) =>
  new Map([...snapshot].sort(([a], [b]) => (a < b ? -1 : 1)));

/** Moves the clock past the snapshot's age and past the settle time, then refreshes, counting. */
async function refreshLater(cache: ProviderSnapshotCache, seconds = CHANGE_SETTLE_MS / 1000) {
  clock.advance(seconds);
  // Under OUTROUTE_FAULTS the queue index lags in real time: compared with a full load once it settled.
  await indexesSettled();
  const counts = await requestsOf(() => cache.get(counted));
  // The same instant, every part read again: what the router would see with no cache at all.
  expect(byId(counts.result)).toStrictEqual(byId(await fullLoad()));
  return counts;
}

/** A cache past its first load and the settle read after it: from here on, only changes cost reads. */
async function settledCache(): Promise<ProviderSnapshotCache> {
  const cache = new ProviderSnapshotCache();
  await cache.get(counted);
  await refreshLater(cache);
  const quiet = await refreshLater(cache);
  expect([quiet.list, quiet.parts]).toStrictEqual([LIST_READS, {}]);
  return cache;
}

describe('the provider snapshot, refreshed by change', () => {
  it('reads the list only while nothing changes, and one provider’s parts when a ticket is routed to it', async () => {
    const skill = uniqueId('snap');
    const routedTo = await givenProvider(ctx, { skills: { [skill]: 3 } });
    const others = await Promise.all([givenProvider(ctx), givenProvider(ctx), givenProvider(ctx)]);
    const providers = 1 + others.length;

    const before = await requestsOf(() => loadProviderSnapshot(counted));
    expect(before.list).toBe(LIST_READS);
    expect(Object.values(before.parts)).toStrictEqual(Array(before.result.length).fill(PART_READS));
    expect(before.result.length).toBeGreaterThanOrEqual(providers);

    const cache = await settledCache();
    // Within its age the snapshot is answered from memory.
    clock.advance(SNAPSHOT_TTL_MS / 1000 / 2);
    expect((await requestsOf(() => cache.get(counted))).list).toBe(0);

    const ticketId = await givenTicket(ctx, uniqueId('crm'), { skill });
    await drainRoutingQueue();
    expect(await routeNow(ctx, [ticketId])).toStrictEqual(['queued']);
    // Seen at once: the reservation moved the provider's marker. The routed count is not in yet (the
    // stream consumer has not run), as a full load would find too.
    const routed = await refreshLater(cache);
    expect([routed.list, routed.parts]).toStrictEqual([LIST_READS, { [routedTo.providerId]: PART_READS }]);
    const seen = routed.result.get(routedTo.providerId);
    expect([seen?.openItems, seen?.queue?.map((work) => work.ticketId), seen?.routedLast24h]).toStrictEqual([
      1,
      [ticketId],
      0,
    ]);

    // The count lands later, moving no marker: the read after the settle time finds it.
    await applyStreamCounters(ctx);
    const settled = await refreshLater(cache);
    expect([settled.list, settled.parts]).toStrictEqual([LIST_READS, { [routedTo.providerId]: PART_READS }]);
    expect(settled.result.get(routedTo.providerId)?.routedLast24h).toBe(1);

    const quiet = await refreshLater(cache);
    expect([quiet.list, quiet.parts]).toStrictEqual([LIST_READS, {}]);
  });

  it('re-reads a provider that gave capacity back, or got a contract; a configuration comes with the list', async () => {
    const skill = uniqueId('snap');
    const provider = await givenProvider(ctx, { skills: { [skill]: 3 } });
    const ticketId = await givenTicket(ctx, uniqueId('crm'), { skill });
    await drainRoutingQueue();
    await routeNow(ctx, [ticketId]);
    const [lease] = await leaseTickets(ctx, provider.providerId, { max: 1, leaseSeconds: 600 });
    await applyStreamCounters(ctx);
    const cache = await settledCache();

    await completeTicket(ctx, { principal: ADMIN, ticketId, leaseToken: lease?.leaseToken ?? '' }, 'done');
    // The stream consumer gives the slot back, and the marker moves with it.
    await applyStreamCounters(ctx);
    const released = await refreshLater(cache);
    expect([released.list, released.parts]).toStrictEqual([
      LIST_READS,
      { [provider.providerId]: PART_READS },
    ]);
    expect(released.result.get(provider.providerId)?.openItems).toBe(0);
    await refreshLater(cache);

    await putContract(
      ctx,
      provider.providerId,
      {
        effectiveFrom: '2026-11-01',
        timeZone: 'UTC',
        currency: 'USD',
        period: 'month',
        rates: [{ perItem: '3.00' }],
        minimumVolume: { items: 1000, shortfallPerItem: '1.50' },
        kpis: [],
        // Not empty: DynamoDB Local streams an empty map as `{}`, which no stream reader can unmarshall.
        breachPenalties: { P1: '5.00' },
      },
      { keyId: 'admin', role: 'admin' },
    );
    const contracted = await refreshLater(cache);
    // With a minimum volume, the KPI months of the period are a fifth read.
    expect([contracted.list, contracted.parts]).toStrictEqual([
      LIST_READS,
      { [provider.providerId]: PART_READS + 1 },
    ]);
    expect(contracted.result.get(provider.providerId)?.contractPricing).toMatchObject({
      currency: 'USD',
      minimum: { behindPace: true },
    });
    await refreshLater(cache);

    await putProvider(
      ctx.table,
      provider.providerId,
      providerInput({ ...provider, costPerItem: 9, qualityScore: 0.5 }),
      new Date(ctx.now()).toISOString(),
    );
    const reconfigured = await refreshLater(cache);
    expect([reconfigured.list, reconfigured.parts]).toStrictEqual([LIST_READS, {}]);
    expect(reconfigured.result.get(provider.providerId)).toMatchObject({ costPerItem: 9, qualityScore: 0.5 });
  });

  it('sees a change no marker tracks (a lease from the queue) within PARTS_MAX_AGE_MS, and re-reads at the hour', async () => {
    const skill = uniqueId('snap');
    const provider = await givenProvider(ctx, { skills: { [skill]: 3 } });
    const ticketId = await givenTicket(ctx, uniqueId('crm'), { skill });
    await drainRoutingQueue();
    await routeNow(ctx, [ticketId]);
    await applyStreamCounters(ctx);
    const cache = await settledCache();

    await leaseTickets(ctx, provider.providerId, { max: 1, leaseSeconds: 3600 });
    await indexesSettled();
    clock.advance(CHANGE_SETTLE_MS / 1000);
    const unmarked = await requestsOf(() => cache.get(counted));
    expect([unmarked.list, unmarked.parts]).toStrictEqual([LIST_READS, {}]);
    // The leased ticket still shows queued: in service either way, ahead of anything it would displace.
    expect(unmarked.result.get(provider.providerId)?.queue?.map((work) => work.ticketId)).toStrictEqual([
      ticketId,
    ]);

    const aged = await refreshLater(cache, PARTS_MAX_AGE_MS / 1000);
    expect(aged.parts[provider.providerId]).toBe(PART_READS);
    expect(aged.result.get(provider.providerId)?.queue).toStrictEqual([]);

    const nextHour = 3600 - ((clock.nowMs / 1000) % 3600) + 1;
    const rolled = await refreshLater(cache, nextHour);
    // Every provider's counts again (the 24 h window moved): all of its parts, as on a first load.
    expect(Object.keys(rolled.parts).sort()).toStrictEqual([...rolled.result.keys()].sort());
  });

  it('keeps a router’s own takes in memory until a changed provider is read again', async () => {
    const skill = uniqueId('snap');
    const provider = await givenProvider(ctx, { skills: { [skill]: 3 } });
    const sourceId = uniqueId('crm');
    const [first, second] = [
      await givenTicket(ctx, sourceId, { skill }),
      await givenTicket(ctx, sourceId, { skill }),
    ];
    await drainRoutingQueue();
    const cache = await settledCache();
    await routeNow(ctx, [first as string]);
    const read = await refreshLater(cache);
    expect(read.parts[provider.providerId]).toBe(PART_READS);

    // This router takes the second ticket against the snapshot it holds (as route-tickets does).
    const router = await newRouter(ctx);
    router.providers = await cache.get(counted);
    expect(await routeTicket(ctx, router, second as string)).toBe('queued');
    await indexesSettled();
    clock.advance(SNAPSHOT_TTL_MS / 1000 + 0.1);
    const soon = await requestsOf(() => cache.get(counted));
    // Changed again, but read a moment ago: the list's item (its openItems) with the queue in memory.
    expect([soon.list, soon.parts]).toStrictEqual([LIST_READS, {}]);
    const inMemory = soon.result.get(provider.providerId);
    expect([inMemory?.openItems, inMemory?.queue?.map((work) => work.ticketId).sort()]).toStrictEqual([
      2,
      [first, second].sort(),
    ]);
    await applyStreamCounters(ctx);
    const again = await refreshLater(cache);
    expect(again.parts[provider.providerId]).toBe(PART_READS);
    expect(again.result.get(provider.providerId)?.routedLast24h).toBe(2);
  });

  it('refreshes for a caller that needs a snapshot newer than an instant', async () => {
    const cache = await settledCache();
    const taken = clock.nowMs;
    expect((await requestsOf(() => cache.get(counted, 60_000, taken - 1))).list).toBe(0);
    const newer = await requestsOf(() => cache.get(counted, 60_000, taken));
    expect([newer.list, newer.parts]).toStrictEqual([LIST_READS, {}]);
  });
});
