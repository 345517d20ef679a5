// Counting once per stream batch: a replay from the batch's start (with more
// records appended) or from its first failed record counts each change once.
import { describe, expect, it } from 'vitest';
import { hourlyCounter, readHourlyCounts, sumCounts } from '../../shared/store/metric-store.js';
import { type CountedChange, countChangesOnce } from '../../shared/use-cases/count-metrics.js';
import { TestClock, testContext } from '../fixtures/context.js';
import { uniqueId } from '../fixtures/entities.js';

const ctx = testContext(new TestClock(Date.parse('2026-11-23T10:00:00.000Z')));
const HOUR = '2026-11-23T10';

/** Records 1..n of one shard, each routing one ticket to the provider. */
function changes(providerId: string, from: number, to: number): CountedChange[] {
  const base = uniqueId('ev');
  return Array.from({ length: to - from + 1 }, (_, offset) => {
    const index = from + offset;
    const hourly = [{ providerId, hour: HOUR, counts: { routed: 1 } }];
    return {
      eventId: `${base}-${index}`,
      sequence: String(1_000_000_000_000_000_000n + BigInt(index)),
      hourly,
      counters: hourly.map(hourlyCounter),
    };
  });
}

const routed = async (providerId: string) =>
  sumCounts(await readHourlyCounts(ctx.table, providerId, HOUR, HOUR)).routed;

describe('counting once per batch', () => {
  it('counts a batch of changes in one transaction, and a replay of it not again', async () => {
    const providerId = uniqueId('p');
    const batch = changes(providerId, 1, 40);
    expect(await countChangesOnce(ctx, batch)).toHaveLength(40);
    expect(await countChangesOnce(ctx, batch)).toHaveLength(0);
    expect(await routed(providerId)).toBe(40);
  });

  it('counts only the new records when a replay from the same start carries more', async () => {
    const providerId = uniqueId('p');
    const all = changes(providerId, 1, 30);
    await countChangesOnce(ctx, all.slice(0, 10));
    const counted = await countChangesOnce(ctx, all);
    expect(counted.map((change) => change.eventId)).toEqual(all.slice(10).map((change) => change.eventId));
    expect(await routed(providerId)).toBe(30);
  });

  it('counts a retry from the first failed record once', async () => {
    const providerId = uniqueId('p');
    const all = changes(providerId, 1, 20);
    await countChangesOnce(ctx, all.slice(0, 7));
    await countChangesOnce(ctx, all.slice(7));
    await countChangesOnce(ctx, all.slice(7));
    expect(await routed(providerId)).toBe(20);
  });

  it('splits a batch whose counters do not fit one transaction', async () => {
    const providerIds = Array.from({ length: 150 }, () => uniqueId('p'));
    const batch = providerIds.flatMap((providerId, index) => changes(providerId, index + 1, index + 1));
    await countChangesOnce(ctx, batch);
    await countChangesOnce(ctx, batch);
    const totals = await Promise.all(providerIds.map(routed));
    expect(totals.every((total) => total === 1)).toBe(true);
  });
});
