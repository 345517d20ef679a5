// No hot partition: a burst through `npm start` with every DynamoDB write
// logged (OUTROUTE_WRITE_LOG), then the writes per partition key — table keys
// and the index partitions each put lands in or leaves — compared with the
// total. At 100 providers no key but a provider's own counter may take more
// than 1 % of the writes (nor its queue partition or its key's audit entries,
// each about 1 % of the tickets here): per-status, per-day and global keys are
// sharded, counters are written once per stream batch, intake budgets in slices.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestLogLine } from '../../shared/store/request-log.js';
import { api, type Platform, startPlatform } from './platform.js';

const PROVIDERS = 100;
const SOURCES = 4;
const TICKETS = 400;
const SKILLS = ['billing', 'claims', 'payroll'];
const PRIORITIES = ['P1', 'P2', 'P3', 'P4'];

/** Writes per partition key from the log: each item write, and each index partition it enters or leaves. */
function writesPerPartition(lines: RequestLogLine[]): Map<string, number> {
  const counts = new Map<string, number>();
  const count = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const indexesOf = new Map<string, string[]>();
  for (const line of lines) {
    if (!line.ok) continue;
    for (const write of line.writes ?? []) {
      if (write.kind === 'check') continue;
      count(write.pk);
      if (write.kind !== 'put') continue;
      const item = `${write.pk}\u0000${write.sk}`;
      const before = indexesOf.get(item) ?? [];
      const after = write.indexes ?? [];
      for (const partition of new Set([...before, ...after])) count(partition);
      indexesOf.set(item, after);
    }
  }
  return counts;
}

describe('a burst at 100 providers', () => {
  let platform: Platform;
  const logFile = join(mkdtempSync(join(tmpdir(), 'outroute-writes-')), 'writes.jsonl');

  beforeAll(async () => {
    platform = await startPlatform({ OUTROUTE_WRITE_LOG: logFile });
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('spreads its writes: no key but a provider counter takes more than 1 % of them', async () => {
    const providerIds = Array.from({ length: PROVIDERS }, (_, index) => `hot-${index}`);
    const providerKeys = new Map<string, string>();
    for (const [index, providerId] of providerIds.entries()) {
      const put = await api(platform, 'PUT', `/v1/providers/${providerId}`, {
        body: {
          status: 'active',
          timeZone: 'UTC',
          skills: { [SKILLS[index % SKILLS.length] as string]: 3, billing: 3 },
          capacity: 20,
          throughputPerHour: 120,
          costPerItem: 1 + (index % 7) / 10,
          dataClearance: 'confidential',
        },
      });
      expect(put.status).toBeLessThan(300);
      providerKeys.set(
        providerId,
        (await api(platform, 'POST', `/v1/providers/${providerId}/keys`)).body.apiKey,
      );
    }
    const sourceKeys: string[] = [];
    for (let source = 0; source < SOURCES; source++)
      sourceKeys.push((await api(platform, 'POST', `/v1/sources/hot-${source}/keys`)).body.apiKey);
    const burstStartedAt = Date.now();

    // The burst: batches of 50 from each source, a second apart per source (under its intake rate).
    const ids: string[] = [];
    for (let round = 0; ids.length < TICKETS; round++) {
      const answers = await Promise.all(
        sourceKeys.map((key, source) =>
          api(platform, 'POST', '/v1/tickets/batch', {
            key,
            body: {
              items: Array.from({ length: TICKETS / SOURCES / 2 }, (_, index) => ({
                externalId: `hot-${round}-${source}-${index}`,
                kind: 'back_office',
                skill: SKILLS[(index + source) % SKILLS.length],
                priority: PRIORITIES[(index + round) % PRIORITIES.length],
              })),
            },
          }),
        ),
      );
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        for (const result of answer.body.results as { ticketId?: string; error?: unknown }[]) {
          expect(result.error).toBeUndefined();
          ids.push(result.ticketId as string);
        }
      }
      await sleep(1100);
    }

    // Every provider works its queue until every ticket is done.
    let completed = 0;
    const deadline = Date.now() + 240_000;
    while (completed < ids.length && Date.now() < deadline) {
      for (let start = 0; start < providerIds.length; start += 10) {
        await Promise.all(
          providerIds.slice(start, start + 10).map(async (providerId) => {
            // Each provider with its own key: its payload reads are its own actor's entries.
            const key = providerKeys.get(providerId);
            const leased = await api(platform, 'POST', `/v1/providers/${providerId}/lease`, {
              key,
              body: { max: 20, leaseSeconds: 300 },
            });
            for (const item of leased.body?.items ?? []) {
              const done = await api(platform, 'POST', `/v1/tickets/${item.ticketId}/complete`, {
                key,
                body: { leaseToken: item.leaseToken },
              });
              if (done.status === 200) completed++;
            }
          }),
        );
      }
    }
    expect(completed).toBe(ids.length);
    // The stream consumer counts the last changes.
    await sleep(3000);

    const lines = readFileSync(logFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as RequestLogLine)
      .filter((line) => line.t >= burstStartedAt);
    const counts = writesPerPartition(lines);
    const total = [...counts.values()].reduce((sum, value) => sum + value, 0);
    const hottest = [...counts]
      // A provider's own keys: its counter, its queue partition, its key's audit entries (each ~1 % here).
      .filter(
        ([key]) => !key.startsWith('PROVIDER#') && !key.includes('QUEUE#') && !key.includes('AUDIT#ACTOR#'),
      )
      .sort(([, a], [, b]) => b - a)
      .slice(0, 8)
      .map(([key, writes]) => ({ key, writes, share: writes / total }));
    console.log(`${total} partition writes for ${ids.length} tickets; hottest keys:`, hottest);
    expect(hottest[0]?.share ?? 0).toBeLessThanOrEqual(0.01);
  }, 360_000);
});
