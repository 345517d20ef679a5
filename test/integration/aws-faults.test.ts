// The store under AWS's worst: transaction conflicts (with the SDK's real error
// types) and index lag, injected by the OUTROUTE_FAULTS middleware on a client
// of this file's table.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { TABLE } from '../../infra/resources.js';
import { UnavailableError } from '../../shared/lib/errors.js';
import { createDocumentClient } from '../../shared/store/dynamo-client.js';
import { type Faults, installFaults } from '../../shared/store/dynamo-faults.js';
import { queuePartition } from '../../shared/store/keys.js';
import {
  addCountsOnce,
  hourlyCounter,
  readHourlyCounts,
  sumCounts,
} from '../../shared/store/metric-store.js';
import { getTicket, insertTicket, queryTickets, saveTicket } from '../../shared/store/ticket-store.js';
import type { Table } from '../../shared/store/table.js';
import { uniqueId } from '../fixtures/entities.js';
import { receivedTicket } from '../fixtures/tickets.js';

const clients: DynamoDBClient[] = [];
const INDEXES = Object.fromEntries(
  TABLE.indexes.map((index) => [index.name, [index.partitionKey, index.sortKey]]),
) as Record<string, [string, string]>;

/** A table handle through a client with the given faults; `random` decides which writes conflict. */
function faultyTable(faults: Faults, random?: () => number): Table {
  const client = new DynamoDBClient({});
  const reader = new DynamoDBClient({});
  clients.push(client, reader);
  installFaults(client, faults, { reader: createDocumentClient(reader), indexes: INDEXES, random });
  return { db: createDocumentClient(client), name: process.env.TABLE_NAME ?? '' };
}
const clean = faultyTable({ indexLagMs: 0, txnConflict: 0 });
afterAll(() => clients.forEach((client) => client.destroy()));

const HOUR = '2026-11-23T10';
const routedOnce = (providerId: string) => [hourlyCounter({ providerId, hour: HOUR, counts: { routed: 1 } })];
const routedTotal = async (providerId: string) =>
  sumCounts(await readHourlyCounts(clean, providerId, HOUR, HOUR)).routed;

describe('transaction conflicts', () => {
  it('never count a conflict as "already counted": the count is retried, then refused as retryable', async () => {
    const providerId = uniqueId('p');
    const alwaysConflicting = faultyTable({ indexLagMs: 0, txnConflict: 0.5 }, () => 0);
    await expect(
      addCountsOnce(alwaysConflicting, 'm-1', routedOnce(providerId), Date.now()),
    ).rejects.toBeInstanceOf(UnavailableError);
    expect(await routedTotal(providerId)).toBe(0);
    // The stream delivers the record again: it counts once, and only once.
    expect(await addCountsOnce(clean, 'm-1', routedOnce(providerId), Date.now())).toBe('counted');
    expect(await addCountsOnce(clean, 'm-1', routedOnce(providerId), Date.now())).toBe('already_counted');
    expect(await routedTotal(providerId)).toBe(1);
  });

  it('keep counters exact when every other write conflicts', async () => {
    const providerId = uniqueId('p');
    // Draws: conflict, (which item), no conflict — again and again.
    const draws = [0, 0.5, 0.9];
    let call = 0;
    const everyOther = faultyTable({ indexLagMs: 0, txnConflict: 0.5 }, () => draws[call++ % 3] as number);
    const outcomes = [];
    for (let index = 0; index < 20; index++)
      outcomes.push(
        await addCountsOnce(everyOther, `${providerId}-${index}`, routedOnce(providerId), Date.now()),
      );
    expect(outcomes.every((outcome) => outcome === 'counted')).toBe(true);
    expect(await routedTotal(providerId)).toBe(20);
  });

  it('never read a conflict on the ticket or the provider as a stale ticket or a full provider', async () => {
    const ticket = { ...receivedTicket(), ticketId: uniqueId('t') };
    await insertTicket(clean, ticket, undefined);
    const alwaysConflicting = faultyTable({ indexLagMs: 0, txnConflict: 0.5 }, () => 0);
    const queued = { ...ticket, status: 'queued' as const, providerId: uniqueId('p') };
    await expect(saveTicket(alwaysConflicting, ticket, queued)).rejects.toBeInstanceOf(UnavailableError);
    await expect(saveTicket(alwaysConflicting, ticket, { ...ticket, priority: 'P1' })).rejects.toBeInstanceOf(
      UnavailableError,
    );
    expect((await getTicket(clean, ticket.ticketId))?.version).toBe(ticket.version);
  });
});

describe('index lag', () => {
  it('answers index queries as the index stood the lag ago, and fresh once it has passed', async () => {
    const lagging = faultyTable({ indexLagMs: 400, txnConflict: 0 });
    const providerId = uniqueId('p');
    const ticket = { ...receivedTicket(), ticketId: uniqueId('t'), status: 'queued' as const, providerId };
    await insertTicket(lagging, ticket, undefined);
    const queue = async () =>
      (
        await queryTickets(lagging, { index: 'queue', partition: queuePartition(providerId), limit: 10 })
      ).items.map((item) => [item.ticketId, item.status]);
    expect(await queue()).toStrictEqual([]);
    await expect.poll(queue, { timeout: 10_000, interval: 50 }).toStrictEqual([[ticket.ticketId, 'queued']]);

    // It is leased (and stays in its provider's partition): the index still shows it as it was, for a while.
    const saved = await getTicket(lagging, ticket.ticketId);
    await saveTicket(lagging, saved!, { ...saved!, status: 'leased' });
    expect(await queue()).toStrictEqual([[ticket.ticketId, 'queued']]);
    await expect.poll(queue, { timeout: 10_000, interval: 50 }).toStrictEqual([[ticket.ticketId, 'leased']]);
  });
});
