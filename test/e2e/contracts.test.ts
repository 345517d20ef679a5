// Contracts through `npm start` (issue 10): contract → tickets → completions, a breach, QA scores, CSAT and a
// reopening → the scorecard's figures equal the hand computation below; CSV; versions.
import { setTimeout as sleep } from 'node:timers/promises';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Platform, startPlatform } from './platform.js';

const ZONE = 'America/New_York';

describe('contracts and scorecards through npm start', () => {
  let platform: Platform;
  let sourceKey: string;
  let providerKey: string;
  const providerId = 'e2e-contract-bpo';
  // The platform runs on the real clock: the contract starts this month, in New York.
  const effectiveFrom = DateTime.now().setZone(ZONE).startOf('month').toISODate()!;
  const period = DateTime.now().setZone(ZONE).toFormat('yyyy-MM');

  beforeAll(async () => {
    platform = await startPlatform();
    sourceKey = (await api(platform, 'POST', '/v1/sources/e2e-contracts/keys')).body.apiKey;
  });

  afterAll(async () => {
    await platform?.stop();
  });

  const submit = async (body: Record<string, unknown>) => {
    const answer = await api(platform, 'POST', '/v1/tickets', {
      key: sourceKey,
      body: { externalId: crypto.randomUUID(), ...body },
    });
    expect(answer.status).toBe(202);
    return answer.body.ticketId as string;
  };

  const until = async <T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
      await sleep(300);
    }
  };

  it('scorecard figures equal the hand computation', async () => {
    expect(
      (
        await api(platform, 'PUT', `/v1/providers/${providerId}`, {
          body: {
            name: 'E2E contract BPO',
            status: 'active',
            timeZone: 'UTC',
            skills: { billing: 5, claims: 5 },
            capacity: 50,
            throughputPerHour: 100_000,
            costPerItem: 9,
            dataClearance: 'restricted',
          },
        })
      ).status,
    ).toBe(200);
    providerKey = (await api(platform, 'POST', `/v1/providers/${providerId}/keys`)).body.apiKey;
    const contract = {
      effectiveFrom,
      timeZone: ZONE,
      currency: 'USD',
      period: 'month',
      rates: [
        { skill: 'claims', kind: 'back_office', perItem: '4.20' },
        { skill: 'billing', perItem: '2.50' },
        { perItem: '3.00' },
      ],
      minimumVolume: { items: 10, shortfallPerItem: '1.50' },
      kpis: [
        { id: 'sla', metric: 'sla_attainment', target: 0.9, credit: { percentOfFees: 3, perPointBelow: 1 } },
        {
          id: 'sla-p1',
          metric: 'sla_attainment',
          priority: 'P1',
          target: 0.95,
          credit: { percentOfFees: 5 },
        },
        {
          id: 'quality',
          metric: 'quality_score',
          target: 0.85,
          credit: { percentOfFees: 2, perPointBelow: 0.5 },
        },
        { id: 'reopens', metric: 'reopen_rate', max: 0.05, credit: { percentOfFees: 2 } },
        { id: 'csat', metric: 'csat', target: 4, credit: { percentOfFees: 1 } },
      ],
      breachPenalties: { P1: '50.00' },
      creditCapPercent: 15,
    };
    const put = await api(platform, 'PUT', `/v1/providers/${providerId}/contract`, { body: contract });
    expect([put.status, put.body.version]).toStrictEqual([201, 1]);
    expect((await api(platform, 'GET', `/v1/providers/${providerId}/contract`)).body.version).toBe(1);

    // the router's provider snapshot lives 3 s: let it see the contract
    await sleep(3500);
    // T1, T2: billing P2 on time; T3: claims back office P1 on time (then reopened); T4: billing P1, due in 8 s
    const t1 = await submit({ kind: 'front_office', skill: 'billing', priority: 'P2' });
    const t2 = await submit({ kind: 'front_office', skill: 'billing', priority: 'P2' });
    const t3 = await submit({ kind: 'back_office', skill: 'claims', priority: 'P1' });
    const due = new Date(Date.now() + 8000).toISOString();
    const t4 = await submit({ kind: 'front_office', skill: 'billing', priority: 'P1', dueAt: due });
    const tokens = new Map<string, string>();
    await until(
      async () => {
        const leased = await api(platform, 'POST', `/v1/providers/${providerId}/lease`, {
          key: providerKey,
          body: { max: 10, leaseSeconds: 600 },
        });
        for (const item of leased.body.items) tokens.set(item.ticketId, item.leaseToken);
        return tokens.size;
      },
      (size) => size === 4,
      'the four tickets to be leased',
    );
    // routing priced T1 by the rate card under take-or-pay: behind the minimum's pace, 2.50 − 1.50 saved
    const routedT1 = (await api(platform, 'GET', `/v1/tickets/${t1}`)).body;
    expect(routedT1.routing.candidates[0]).toMatchObject({
      providerId,
      costBasis: { basis: 'take_or_pay', cost: 1 },
    });
    const complete = (ticketId: string) =>
      api(platform, 'POST', `/v1/tickets/${ticketId}/complete`, {
        key: providerKey,
        body: { leaseToken: tokens.get(ticketId) },
      });
    for (const ticketId of [t1, t2, t3]) expect((await complete(ticketId)).status).toBe(200);
    await sleep(Math.max(0, Date.parse(due) - Date.now()) + 1500);
    expect((await complete(t4)).status).toBe(200);

    const feedback = (ticketId: string, body: unknown) =>
      api(platform, 'POST', `/v1/tickets/${ticketId}/feedback`, { key: sourceKey, body });
    expect((await feedback(t1, { qaScore: 0.9, csat: 5 })).status).toBe(200);
    expect((await feedback(t2, { qaScore: 0.8, csat: 4 })).status).toBe(200);
    expect((await feedback(t3, { qaScore: 0.7 })).status).toBe(200);
    const reopened = await feedback(t3, { reopen: true, reason: 'customer replied: not fixed' });
    expect([
      reopened.status,
      reopened.body.status,
      reopened.body.providerId,
      reopened.body.reopened,
    ]).toStrictEqual([200, 'queued', providerId, 1]);
    expect((await feedback(t1, { reopen: true })).status).toBe(400);

    const card = await until(
      async () => (await api(platform, 'GET', `/v1/providers/${providerId}/scorecard?period=${period}`)).body,
      (body) => body?.volume?.completed === 4 && body.volume.reopened === 1 && body.kpis?.[2]?.actual === 0.8,
      'the stream to count everything',
    );
    // Hand computation:
    //   fees = 2.50 + 2.50 + 4.20 + 2.50 = 11.70
    //   sla 3/4 = 75 % < 90 %: 15 points → 3 % + 15 × 1 % = 18 % of 11.70 = 2.106 → 2.11
    //   sla-p1 1/2 = 50 % < 95 % → 5 % = 0.585 → 0.59
    //   quality (0.9 + 0.8 + 0.7) / 3 = 0.80 < 0.85: 5 points → 2 % + 5 × 0.5 % = 4.5 % = 0.5265 → 0.53
    //   reopens 1/4 = 25 % > 5 % → 2 % = 0.234 → 0.23;  csat (5 + 4) / 2 = 4.5 ≥ 4: met
    //   KPI credits 2.11 + 0.59 + 0.53 + 0.23 = 3.46; breach penalty P1 50.00 → 53.46 before the cap
    //   cap 15 % of 11.70 = 1.755 → 1.76 (applied); shortfall (10 − 4) × 1.50 = 9.00
    //   net payable = 11.70 + 9.00 − 1.76 = 18.94
    expect(card).toMatchObject({
      providerId,
      period,
      final: false,
      currency: 'USD',
      contractVersion: effectiveFrom,
      volume: {
        completed: 4,
        breached: 1,
        reopened: 1,
        byPriority: { P1: { completed: 2, met: 1, breached: 1 }, P2: { completed: 2, met: 2, breached: 0 } },
      },
      fees: '11.70',
      breachPenalties: '50.00',
      kpiCredits: '3.46',
      creditsBeforeCap: '53.46',
      creditCap: '1.76',
      capApplied: true,
      credits: '1.76',
      shortfall: '9.00',
      netPayable: '18.94',
      adjustments: [],
    });
    expect(
      card.kpis.map((kpi: { id: string; actual: number; met: boolean; credit: string }) => [
        kpi.id,
        kpi.actual,
        kpi.met,
        kpi.credit,
      ]),
    ).toStrictEqual([
      ['sla', 0.75, false, '2.11'],
      ['sla-p1', 0.5, false, '0.59'],
      ['quality', 0.8, false, '0.53'],
      ['reopens', 0.25, false, '0.23'],
      ['csat', 4.5, true, '0.00'],
    ]);
    expect(card.projection.kpisAtRisk).toStrictEqual(['sla', 'sla-p1', 'quality', 'reopens']);

    const csv = await fetch(`${platform.url}/v1/scorecards?period=${period}&format=csv`, {
      headers: { authorization: `Bearer ${platform.adminKey}` },
    });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const rows = (await csv.text()).trim().split('\r\n');
    expect(rows.filter((row) => row.startsWith(`${providerId},`))).toHaveLength(5);
    expect(rows.find((row) => row.startsWith(`${providerId},`))).toContain(',18.94');

    const all = await api(platform, 'GET', `/v1/scorecards?period=${period}`);
    expect(all.body.items.map((item: { providerId: string }) => item.providerId)).toContain(providerId);
    const versions = await api(platform, 'GET', `/v1/providers/${providerId}/contract/versions`);
    expect(versions.body.items).toHaveLength(1);
  });
});
