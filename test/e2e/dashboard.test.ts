// The operations dashboard in a real browser (Debian's Chromium through
// playwright-core) against `npm start`: sign in, providers, routing
// explanations, pausing a provider, and routing that avoids it.
import { mkdirSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SNAPSHOT_TTL_MS } from '../../shared/use-cases/provider-snapshot.js';
import { api, type Platform, startPlatform } from './platform.js';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const UI_TIMEOUT_MS = 20_000;

/** Open 24×7 (no businessHours), the skill billing. */
const providerBody = (name: string, costPerItem: number) => ({
  name,
  status: 'active',
  timeZone: name.includes('Manila') ? 'Asia/Manila' : 'America/Mexico_City',
  skills: { billing: 5 },
  capacity: 10,
  throughputPerHour: 20,
  costPerItem,
  dataClearance: 'confidential',
});
const PROVIDERS = {
  'acme-manila': providerBody('Acme Manila', 2.5),
  'nearshore-mx': providerBody('Nearshore MX', 4),
} as const;
type ProviderId = keyof typeof PROVIDERS;

interface TicketView {
  ticketId: string;
  status: string;
  providerId: string | null;
  routing: {
    providerId: string | null;
    candidates: { providerId: string; eligible: boolean; score?: number; reasons?: string[] }[];
  } | null;
  history: { event: string; providerId?: string }[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the operations dashboard', () => {
  let platform: Platform;
  let browser: Browser;
  let page: Page;
  let sourceKey: string;
  let firstTicketId: string;
  let pausedId: ProviderId;
  let aroundTicketId: string;
  const externalRequests: string[] = [];

  const createTicket = async (externalId: string, skill = 'billing') => {
    const created = await api(platform, 'POST', '/v1/tickets', {
      key: sourceKey,
      body: { externalId, kind: 'front_office', skill, priority: 'P2' },
    });
    expect(created.status).toBe(202);
    return created.body.ticketId as string;
  };

  /** Polls the API until the ticket reaches the status (routing runs asynchronously behind the queue). */
  const ticketOnceStatus = async (ticketId: string, status: string): Promise<TicketView> => {
    let ticket: TicketView | undefined;
    await expect
      .poll(
        async () => {
          ticket = (await api(platform, 'GET', `/v1/tickets/${ticketId}`)).body as TicketView;
          return ticket.status;
        },
        { timeout: 30_000, interval: 250 },
      )
      .toBe(status);
    return ticket as TicketView;
  };

  const openTicketByTyping = async (ticketId: string) => {
    await page.getByLabel('Ticket id').fill(ticketId);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.locator(`.ticket-summary[data-ticket-id="${ticketId}"]`).waitFor({ timeout: UI_TIMEOUT_MS });
  };

  const candidateRow = (providerId: string) =>
    page.locator(`#ticket-view tr[data-candidate="${providerId}"]`);

  beforeAll(async () => {
    platform = await startPlatform();
    for (const [providerId, body] of Object.entries(PROVIDERS)) {
      expect((await api(platform, 'PUT', `/v1/providers/${providerId}`, { body })).status).toBe(200);
    }
    const key = await api(platform, 'POST', '/v1/sources/crm/keys');
    expect(key.status).toBe(201);
    sourceKey = key.body.apiKey;
    firstTicketId = await createTicket('ZD-1');
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    page.on('request', (request) => {
      if (!request.url().startsWith(platform.url) && !request.url().startsWith('data:')) {
        externalRequests.push(request.url());
      }
    });
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('shows the message of the 401 when the key is wrong', async () => {
    await page.goto(platform.url);
    await page.getByLabel('Admin key').fill('not-the-admin-key-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.locator('#sign-in-error').textContent()).toContain('not accepted (401)');
    expect(await page.locator('#dashboard-view').isHidden()).toBe(true);
  });

  it('signs in with the admin key, kept in sessionStorage, and lists the seeded providers', async () => {
    await page.getByLabel('Admin key').fill(platform.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    for (const [providerId, body] of Object.entries(PROVIDERS)) {
      const row = page.locator(`#providers-body tr[data-provider-id="${providerId}"]`);
      await row.waitFor();
      expect(await row.locator('th').textContent()).toContain(body.name);
      expect(await row.locator('.provider-status').textContent()).toBe('active');
      expect(await row.locator('.provider-hours').textContent()).toContain('open now');
    }
    expect(await page.evaluate(() => sessionStorage.getItem('outroute.adminKey'))).toBe(platform.adminKey);
  });

  it('shows the figures of the metrics API and draws the hourly chart with Chart.js', async () => {
    await ticketOnceStatus(firstTicketId, 'queued');
    const shown = () =>
      page.$$eval('#providers-body tr[data-provider-id]', (rows) =>
        rows
          .map((row) => {
            const value = (name: string) => row.querySelector(`.figure-${name}`)?.getAttribute('data-value');
            const parse = (raw: string | null | undefined) =>
              raw === 'null' || raw == null ? null : Number(raw);
            return {
              providerId: row.getAttribute('data-provider-id'),
              openItems: parse(value('open-items')),
              utilization: parse(value('utilization')),
              slaAttainment: parse(value('sla-attainment')),
              costTotal: parse(value('cost-total')),
            };
          })
          .sort((a, b) => String(a.providerId).localeCompare(String(b.providerId))),
      );
    const fromApi = async () => {
      const { body } = await api(platform, 'GET', '/v1/metrics/providers');
      return (body.items as Record<string, unknown>[])
        .map(({ providerId, openItems, utilization, slaAttainment, costTotal }) => ({
          providerId,
          openItems,
          utilization,
          slaAttainment,
          costTotal,
        }))
        .sort((a, b) => String(a.providerId).localeCompare(String(b.providerId)));
    };
    // The page polls; it catches up with the API within a few rounds.
    await expect
      .poll(async () => JSON.stringify(await shown()) === JSON.stringify(await fromApi()), {
        timeout: UI_TIMEOUT_MS,
      })
      .toBe(true);
    const openOfRouted = (await shown()).reduce((sum, row) => sum + (row.openItems ?? 0), 0);
    expect(openOfRouted).toBe(1);

    const backlogRow = page.locator('#backlog-body tr[data-skill="billing"][data-priority="P2"]');
    await backlogRow.waitFor();
    const chart = await page.evaluate(() => {
      const instance = (window as unknown as { Chart: { getChart(id: string): unknown } }).Chart.getChart(
        'hourly-chart',
      ) as { config: { type: string }; data: { datasets: { label: string; data: number[] }[] } } | undefined;
      return instance && { type: instance.config.type, datasets: instance.data.datasets.map((d) => d.label) };
    });
    expect(chart).toStrictEqual({ type: 'bar', datasets: ['Acme Manila', 'Nearshore MX'] });
  });

  it('opens a ticket by its id and explains its routing: candidates, the chosen one, the history', async () => {
    const ticket = await ticketOnceStatus(firstTicketId, 'queued');
    const chosen = ticket.routing?.providerId as ProviderId;
    expect(Object.keys(PROVIDERS)).toContain(chosen);
    await openTicketByTyping(firstTicketId);

    for (const candidate of ticket.routing?.candidates ?? []) {
      const row = candidateRow(candidate.providerId);
      await row.waitFor();
      if (candidate.score !== undefined) expect(await row.textContent()).toContain(String(candidate.score));
    }
    expect(await page.locator('#ticket-view tr.chosen').getAttribute('data-candidate')).toBe(chosen);
    expect(await candidateRow(chosen).textContent()).toContain('chosen');
    expect(await candidateRow(chosen).locator('.factors').textContent()).toContain('slack');
    expect(await page.locator('#ticket-view .history').textContent()).toContain('queued');
    pausedId = chosen;
  });

  it('pauses a provider with its button', async () => {
    const name = PROVIDERS[pausedId].name;
    await page.getByRole('button', { name: `Pause ${name}` }).click();
    await expect
      .poll(async () => (await api(platform, 'GET', `/v1/providers/${pausedId}`)).body.status, {
        timeout: UI_TIMEOUT_MS,
      })
      .toBe('paused');
    const { body } = await api(platform, 'GET', `/v1/providers/${pausedId}`);
    // A full replace that kept the rest of the configuration.
    expect(body).toMatchObject({ ...PROVIDERS[pausedId], status: 'paused' });
    const statusCell = page.locator(`#providers-body tr[data-provider-id="${pausedId}"] .provider-status`);
    await expect.poll(() => statusCell.textContent(), { timeout: UI_TIMEOUT_MS }).toBe('paused');
    expect(await page.getByRole('button', { name: `Resume ${name}` }).isEnabled()).toBe(true);
  });

  it('routes the next ticket around the paused provider and says why', async () => {
    const other = (Object.keys(PROVIDERS) as ProviderId[]).find((id) => id !== pausedId) as ProviderId;
    // The router trusts its provider snapshot for a few seconds.
    await sleep(SNAPSHOT_TTL_MS + 1000);
    const ticketId = await createTicket('ZD-2');
    aroundTicketId = ticketId;
    const ticket = await ticketOnceStatus(ticketId, 'queued');
    expect(ticket.providerId).toBe(other);
    const pausedCandidate = ticket.routing?.candidates.find((candidate) => candidate.providerId === pausedId);
    expect(pausedCandidate).toMatchObject({
      eligible: false,
      reasons: expect.arrayContaining(['status_paused']),
    });

    await openTicketByTyping(ticketId);
    await candidateRow(pausedId).waitFor();
    expect(await candidateRow(pausedId).locator('.candidate-reasons').textContent()).toContain(
      'status_paused',
    );
    expect(await page.locator('#ticket-view tr.chosen').getAttribute('data-candidate')).toBe(other);
  });

  it('lists a parked ticket with each provider’s reasons and opens it with a click', async () => {
    const ticketId = await createTicket('ZD-3', 'payroll');
    await ticketOnceStatus(ticketId, 'parked');
    const row = page.locator(`#parked-body tr[data-ticket-id="${ticketId}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('missing_skill');
    expect(await row.textContent()).toContain('status_paused');
    await row.getByRole('button', { name: `Open ticket ${ticketId}` }).click();
    await page.locator(`.ticket-summary[data-ticket-id="${ticketId}"]`).waitFor();
    expect(await page.locator('.ticket-summary').getAttribute('data-status')).toBe('parked');

    // The picture: the parked list, and the explanation of the ticket routed around the paused provider.
    await openTicketByTyping(aroundTicketId);
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: 'test-results/dashboard.png', fullPage: true });
    expect(externalRequests).toStrictEqual([]);
  });
});
