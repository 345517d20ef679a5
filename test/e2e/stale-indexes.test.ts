// npm start with AWS's index lag (OUTROUTE_FAULTS=index-lag=1000ms): a new
// provider and an offline one are handled within seconds, not at the minute retry.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Platform, startPlatform } from './platform.js';

const provider = (skill: string) => ({
  name: 'Lagging',
  status: 'active',
  timeZone: 'UTC',
  skills: { [skill]: 3 },
  capacity: 10,
  throughputPerHour: 20,
  costPerItem: 2,
  qualityScore: 0.9,
  dataClearance: 'confidential',
});

interface Ticket {
  status: string;
  providerId?: string;
  history: { at: string; event: string; providerId?: string }[];
}

describe('with index lag', () => {
  let platform: Platform;
  let sourceKey: string;

  beforeAll(async () => {
    // The lag of the run if it has one (npm run test:faults), else 1 s; the sweeper at its local default.
    const faults = process.env.OUTROUTE_FAULTS?.includes('index-lag')
      ? process.env.OUTROUTE_FAULTS
      : 'index-lag=1000ms';
    platform = await startPlatform({ OUTROUTE_FAULTS: faults, OUTROUTE_SWEEP_SECONDS: '5' });
    sourceKey = (await api(platform, 'POST', '/v1/sources/lag/keys')).body.apiKey;
  });
  afterAll(async () => {
    await platform?.stop();
  });

  const ticket = async (ticketId: string) =>
    (await api(platform, 'GET', `/v1/tickets/${ticketId}`)).body as Ticket;
  const until = async (ticketId: string, done: (ticket: Ticket) => boolean) => {
    for (;;) {
      const current = await ticket(ticketId);
      if (done(current)) return current;
      await sleep(250);
    }
  };
  const submit = async (skill: string) => {
    const answer = await api(platform, 'POST', '/v1/tickets', {
      key: sourceKey,
      body: { externalId: crypto.randomUUID(), kind: 'front_office', skill, priority: 'P3' },
    });
    expect(answer.status).toBe(202);
    return answer.body.ticketId as string;
  };
  const at = (ticket: Ticket, event: string, from = 0) =>
    Date.parse(ticket.history.slice(from).find((entry) => entry.event === event)?.at ?? 'NaN');

  it('queues a ticket for a provider created a moment before within 10 s', { timeout: 120_000 }, async () => {
    const skill = `new-${crypto.randomUUID().slice(0, 8)}`;
    expect(
      (await api(platform, 'PUT', `/v1/providers/lag-new-${skill}`, { body: provider(skill) })).status,
    ).toBe(200);
    const ticketId = await submit(skill);
    const queued = await until(ticketId, (current) => current.status === 'queued');
    expect(queued.providerId).toBe(`lag-new-${skill}`);
    expect(at(queued, 'queued') - at(queued, 'received')).toBeLessThan(10_000);
  });

  it(
    'moves a ticket queued at a provider that goes offline away within 15 s',
    { timeout: 120_000 },
    async () => {
      const skill = `off-${crypto.randomUUID().slice(0, 8)}`;
      await api(platform, 'PUT', `/v1/providers/lag-a-${skill}`, {
        body: { ...provider(skill), costPerItem: 1 },
      });
      const ticketId = await submit(skill);
      await until(ticketId, (current) => current.status === 'queued');
      // Offline a moment after the ticket was queued: the queue index does not show it yet.
      const offlineAt = Date.now();
      expect(
        (await api(platform, 'POST', `/v1/providers/lag-a-${skill}/status`, { body: { status: 'offline' } }))
          .status,
      ).toBe(200);
      await api(platform, 'PUT', `/v1/providers/lag-b-${skill}`, {
        body: { ...provider(skill), costPerItem: 9 },
      });
      const moved = await until(
        ticketId,
        (current) => current.status === 'queued' && current.providerId === `lag-b-${skill}`,
      );
      const left = moved.history.findIndex(
        (entry) => Date.parse(entry.at) >= offlineAt && entry.event !== 'queued',
      );
      expect(left).toBeGreaterThan(0);
      expect(Date.parse(moved.history[left]?.at ?? 'NaN') - offlineAt).toBeLessThan(15_000);
    },
  );
});
