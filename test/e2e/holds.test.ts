// Holds, escalation and transfer through `npm start` (issue 14). The platform runs on the real clock, so
// the "P2 held for 3 hours" scenario is scaled: P2 is given a 20-second window and the hold lasts 15
// seconds (three quarters of the window, as 3 h is of the default 4 h); with the work before and after
// it the ticket is open longer than its whole window, and meets its SLA only because the clock stopped.
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Platform, startPlatform } from './platform.js';

const provider = (skills: Record<string, number>, overrides: Record<string, unknown> = {}) => ({
  status: 'active',
  timeZone: 'UTC',
  skills,
  capacity: 5,
  throughputPerHour: 3600,
  costPerItem: 1,
  dataClearance: 'confidential',
  ...overrides,
});

interface TicketBody {
  ticketId: string;
  status: string;
  providerId: string | null;
  createdAt: string;
  dueAt: string;
  skill: string;
  effort: number;
  sla: { state: string; breached: boolean; pausedSeconds: number };
  hold: { reason: string } | null;
  history: { event: string; providerId?: string; reason?: string }[];
}

describe('holds, escalation and transfer through npm start', () => {
  let platform: Platform;
  let sourceKey: string;
  const keys: Record<string, string> = {};

  const waitFor = async <T>(
    read: () => Promise<T>,
    done: (value: T) => boolean,
    what: string,
    seconds = 20,
  ) => {
    for (let attempt = 0; attempt < seconds * 10; attempt++) {
      const value = await read();
      if (done(value)) return value;
      await sleep(100);
    }
    throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await read()).slice(0, 2000)}`);
  };
  const ticket = async (id: string) => (await api(platform, 'GET', `/v1/tickets/${id}`)).body as TicketBody;
  const submit = async (body: Record<string, unknown>) => {
    const response = await api(platform, 'POST', '/v1/tickets', {
      key: sourceKey,
      body: { externalId: crypto.randomUUID(), kind: 'front_office', priority: 'P2', ...body },
    });
    expect(response.status).toBe(202);
    return response.body.ticketId as string;
  };
  /** Leases until the ticket is among the items (the provider queue is an index). */
  const lease = async (providerId: string, id: string) => {
    const leased = await waitFor(
      () =>
        api(platform, 'POST', `/v1/providers/${providerId}/lease`, {
          key: keys[providerId],
          body: { max: 5 },
        }),
      (answer) => answer.body.items?.some((item: { ticketId: string }) => item.ticketId === id),
      `a lease of ${id} at ${providerId}`,
    );
    return leased.body.items.find((item: { ticketId: string }) => item.ticketId === id).leaseToken as string;
  };
  /** Every provider's open items are the effort of its queued, leased and held tickets (listings settle). */
  const audit = async () => {
    await waitFor(
      async () => {
        const { body } = await api(platform, 'GET', '/v1/providers');
        for (const item of body.items) {
          let units = 0;
          for (const status of ['queued', 'leased', 'on_hold']) {
            const listed = await api(
              platform,
              'GET',
              `/v1/tickets?status=${status}&providerId=${item.providerId}&limit=200`,
            );
            for (const entry of listed.body.items) {
              if (status !== 'on_hold' || entry.hold?.keepsCapacity !== false) units += entry.effort ?? 1;
            }
          }
          if (units !== item.openItems) return false;
        }
        return true;
      },
      (ok) => ok,
      'open items to agree with the tickets',
    );
  };

  beforeAll(async () => {
    platform = await startPlatform();
    for (const [id, skills] of [
      ['tier1', { billing: 3 }],
      ['tier2', { 'billing-tier2': 4 }],
      ['spare', { billing: 3 }],
    ] as const) {
      expect((await api(platform, 'PUT', `/v1/providers/${id}`, { body: provider(skills) })).status).toBe(
        200,
      );
      keys[id] = (await api(platform, 'POST', `/v1/providers/${id}/keys`)).body.apiKey;
    }
    // tier1 is cheaper, so billing goes there first.
    // spare is slower and dearer: billing goes to tier1 whatever the prediction says.
    await api(platform, 'PUT', '/v1/providers/spare', {
      body: provider({ billing: 3 }, { costPerItem: 9, throughputPerHour: 1 }),
    });
    sourceKey = (await api(platform, 'POST', '/v1/sources/crm/keys')).body.apiKey;
    const policy = await api(platform, 'PUT', '/v1/sla-policy', {
      body: { targets: { P1: 3600, P2: 20, P3: 86400, P4: 259200 }, atRiskFraction: 0.8 },
    });
    expect(policy.status).toBe(200);
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('a P2 held for three quarters of its window still meets its SLA after resume', async () => {
    const id = await submit({ skill: 'billing' });
    const leaseToken = await lease('tier1', id);
    const queued = await ticket(id);
    expect(queued.providerId).toBe('tier1');
    const held = await api(platform, 'POST', `/v1/tickets/${id}/hold`, {
      key: keys.tier1,
      body: { leaseToken, reason: 'awaiting_customer' },
    });
    expect(held).toMatchObject({
      status: 200,
      body: { status: 'on_hold', hold: { reason: 'awaiting_customer' } },
    });
    await audit();
    await sleep(15_000);
    const during = await ticket(id);
    expect(during).toMatchObject({ status: 'on_hold', sla: { breached: false } });
    expect(during.sla.pausedSeconds).toBeGreaterThanOrEqual(14);
    const resumed = await api(platform, 'POST', `/v1/tickets/${id}/resume`, {
      key: sourceKey,
      body: { note: 'customer sent the invoice' },
    });
    expect(resumed).toMatchObject({ status: 200, body: { status: 'queued', providerId: 'tier1' } });
    const movedBy = Date.parse(resumed.body.dueAt) - Date.parse(queued.dueAt);
    expect(movedBy).toBeGreaterThanOrEqual(14_000);
    const again = await lease('tier1', id);
    // Working it takes a while again: past the original due, which the sweeper (every second) must not breach.
    await sleep(Math.max(0, Date.parse(queued.dueAt) - Date.now()) + 2000);
    expect((await ticket(id)).sla.breached).toBe(false);
    const done = await api(platform, 'POST', `/v1/tickets/${id}/complete`, {
      key: keys.tier1,
      body: { leaseToken: again },
    });
    expect(done.status).toBe(200);
    const final = await ticket(id);
    expect(final).toMatchObject({ status: 'completed', sla: { state: 'met', breached: false } });
    expect(Date.parse(done.body.completedAt) - Date.parse(final.createdAt)).toBeGreaterThan(20_000);
    expect(final.history.map((entry) => entry.event)).toStrictEqual([
      'received',
      'queued',
      'leased',
      'held',
      'resumed',
      'leased',
      'completed',
    ]);
    await audit();
    // Holds count: one hold over two leases at tier1.
    const metrics = await waitFor(
      () => api(platform, 'GET', '/v1/metrics/providers'),
      (answer) =>
        answer.body.items.find((row: { providerId: string }) => row.providerId === 'tier1')?.held === 1,
      'the hold counted',
      60,
    );
    expect(
      metrics.body.items.find((row: { providerId: string }) => row.providerId === 'tier1'),
    ).toMatchObject({
      leased: 2,
      held: 1,
      holdRate: 0.5,
    });
  });

  it('an escalated ticket lands at the tier-2 provider with its original createdAt', async () => {
    const id = await submit({ skill: 'billing' });
    const leaseToken = await lease('tier1', id);
    const before = await ticket(id);
    const escalated = await api(platform, 'POST', `/v1/tickets/${id}/escalate`, {
      key: keys.tier1,
      body: { leaseToken, skill: 'billing-tier2', minProficiency: 4, note: 'refund above tier-1 limit' },
    });
    expect(escalated).toMatchObject({ status: 200, body: { skill: 'billing-tier2' } });
    const landed = await waitFor(
      () => ticket(id),
      (t) => t.status === 'queued',
      'routing to tier 2',
    );
    expect(landed).toMatchObject({
      providerId: 'tier2',
      createdAt: before.createdAt,
      dueAt: before.dueAt,
      skill: 'billing-tier2',
    });
    expect(landed.history.find((entry) => entry.event === 'escalated')).toMatchObject({
      providerId: 'tier1',
      reason: 'billing->billing-tier2',
    });
    const token = await lease('tier2', id);
    expect(
      (
        await api(platform, 'POST', `/v1/tickets/${id}/complete`, {
          key: keys.tier2,
          body: { leaseToken: token },
        })
      ).status,
    ).toBe(200);
    await audit();
  });

  it('a hold resumes by itself at until; an admin transfers a held ticket to another provider', async () => {
    const id = await submit({ skill: 'billing' });
    const leaseToken = await lease('tier1', id);
    const until = new Date(Date.now() + 3000).toISOString();
    const held = await api(platform, 'POST', `/v1/tickets/${id}/hold`, {
      key: keys.tier1,
      body: { leaseToken, reason: 'awaiting_third_party', until },
    });
    expect(held.status).toBe(200);
    const back = await waitFor(
      () => ticket(id),
      (t) => t.status === 'queued',
      'the resume at until',
    );
    expect(back.history.at(-1)).toMatchObject({ event: 'resumed', reason: 'until' });

    const token = await lease('tier1', id);
    await api(platform, 'POST', `/v1/tickets/${id}/hold`, {
      key: keys.tier1,
      body: { leaseToken: token, reason: 'awaiting_source' },
    });
    const refused = await api(platform, 'POST', `/v1/tickets/${id}/transfer`, {
      body: { providerId: 'tier2' },
    });
    expect(refused).toMatchObject({
      status: 409,
      body: { error: { details: [{ message: 'missing_skill' }] } },
    });
    const moved = await api(platform, 'POST', `/v1/tickets/${id}/transfer`, {
      body: { providerId: 'spare' },
    });
    expect(moved).toMatchObject({ status: 200, body: { status: 'on_hold', providerId: 'spare' } });
    await audit();
    const resumed = await api(platform, 'POST', `/v1/tickets/${id}/resume`, { key: keys.spare, body: {} });
    expect(resumed).toMatchObject({ status: 200, body: { status: 'queued', providerId: 'spare' } });
    await audit();
  });

  it('effort units: a 3-unit ticket waits for room a 3-unit one holds; a 6-unit one is too large', async () => {
    await api(platform, 'PUT', '/v1/providers/claims-co', { body: provider({ claims: 3 }, { capacity: 5 }) });
    keys['claims-co'] = (await api(platform, 'POST', '/v1/providers/claims-co/keys')).body.apiKey;
    const first = await submit({ skill: 'claims', effort: 3, priority: 'P4' });
    const token = await lease('claims-co', first);
    expect((await ticket(first)).effort).toBe(3);
    const second = await submit({ skill: 'claims', effort: 3, priority: 'P4' });
    const waiting = await waitFor(
      () => ticket(second),
      (t) => t.status === 'parked',
      'the second ticket to wait for room',
    );
    expect(waiting.status).toBe('parked');
    const tooLarge = await submit({ skill: 'claims', effort: 6, priority: 'P4' });
    const parked = await waitFor(
      () => api(platform, 'GET', `/v1/tickets/${tooLarge}`).then((r) => r.body),
      (t) => t.status === 'parked',
      'the 6-unit ticket parked',
    );
    expect(
      parked.routing.candidates.find((c: { providerId: string }) => c.providerId === 'claims-co').reasons,
    ).toStrictEqual(['too_large']);
    const providers = (await api(platform, 'GET', '/v1/providers')).body.items;
    expect(providers.find((p: { providerId: string }) => p.providerId === 'claims-co').openItems).toBe(3);
    await api(platform, 'POST', `/v1/tickets/${first}/complete`, {
      key: keys['claims-co'],
      body: { leaseToken: token },
    });
    // The freed units wake it (or its retry finds them): queued at claims-co with its 3 units.
    await waitFor(
      () => ticket(second),
      (t) => t.status === 'queued',
      'the second ticket routed once room frees',
      30,
    );
    await audit();
    await api(platform, 'POST', `/v1/tickets/${tooLarge}/cancel`, { key: sourceKey, body: {} });
  });

  it('the dashboard shows a held ticket, the hold rate and what the new codes mean', async () => {
    const id = await submit({ skill: 'billing', externalId: 'HOLD-DASH' });
    const leaseToken = await lease('tier1', id);
    await api(platform, 'POST', `/v1/tickets/${id}/hold`, {
      key: keys.tier1,
      body: { leaseToken, reason: 'awaiting_customer' },
    });
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      page.setDefaultTimeout(20_000);
      await page.goto(platform.url);
      await page.getByLabel('Admin key').fill(platform.adminKey);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const holdRate = page.locator('#providers-body tr[data-provider-id="tier1"] .figure-hold-rate');
      await expect.poll(() => holdRate.getAttribute('data-value'), { timeout: 20_000 }).not.toBe('null');
      await page.getByLabel('Ticket id').fill(id);
      await page.getByRole('button', { name: 'Open', exact: true }).click();
      const summary = page.locator(`.ticket-summary[data-ticket-id="${id}"]`);
      await summary.waitFor();
      expect(await summary.getAttribute('data-status')).toBe('on_hold');
      expect(await summary.locator('.hold').getAttribute('data-reason')).toBe('awaiting_customer');
      expect(await page.locator('#ticket-view .history').textContent()).toContain('held');
      const legend = await page.locator('#reason-legend').textContent();
      for (const code of ['too_large', 'on_hold', 'hold_expired', 'escalated', 'transferred'])
        expect(legend).toContain(code);
    } finally {
      await browser.close();
    }
  });
});
