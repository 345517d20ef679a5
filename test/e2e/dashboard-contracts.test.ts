// The dashboard's Contracts view in Chromium against `npm start` (issue 10): a provider card with KPI tiles
// coloured by the scorecard, its money, the trend chart, the period picker and the CSV download.
import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Platform, startPlatform } from './platform.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'];
const ZONE = 'America/New_York';
const providerId = 'e2e-dash-contract';

/** Reads until `done` holds (the stream and the router work behind the API), for set-up outside a test. */
async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

describe('the dashboard Contracts view', () => {
  let platform: Platform;
  let browser: Browser;
  let page: Page;
  const period = DateTime.now().setZone(ZONE).toFormat('yyyy-MM');

  beforeAll(async () => {
    platform = await startPlatform();
    await api(platform, 'PUT', `/v1/providers/${providerId}`, {
      body: {
        name: 'Dashboard contract BPO',
        status: 'active',
        timeZone: 'UTC',
        skills: { billing: 5 },
        capacity: 10,
        throughputPerHour: 1000,
        dataClearance: 'restricted',
      },
    });
    const put = await api(platform, 'PUT', `/v1/providers/${providerId}/contract`, {
      body: {
        effectiveFrom: DateTime.now().setZone(ZONE).startOf('month').toISODate(),
        timeZone: ZONE,
        currency: 'USD',
        period: 'month',
        rates: [{ perItem: '3.00' }],
        kpis: [
          { id: 'sla', metric: 'sla_attainment', target: 0.9, credit: { percentOfFees: 3 } },
          { id: 'quality', metric: 'quality_score', target: 0.85, credit: { percentOfFees: 2 } },
          { id: 'reopens', metric: 'reopen_rate', max: 0.05, credit: { percentOfFees: 5 } },
          { id: 'csat', metric: 'csat', target: 4, credit: { percentOfFees: 1 } },
        ],
      },
    });
    expect(put.status).toBe(201);
    const providerKey = (await api(platform, 'POST', `/v1/providers/${providerId}/keys`)).body.apiKey;
    const sourceKey = (await api(platform, 'POST', '/v1/sources/e2e-dash/keys')).body.apiKey;
    const ticketId = (
      await api(platform, 'POST', '/v1/tickets', {
        key: sourceKey,
        body: { externalId: 'DASH-1', kind: 'front_office', skill: 'billing', priority: 'P3' },
      })
    ).body.ticketId;
    await waitFor(
      async () => {
        const leased = await api(platform, 'POST', `/v1/providers/${providerId}/lease`, {
          key: providerKey,
          body: { max: 1 },
        });
        const item = leased.body.items[0];
        if (!item) return false;
        await api(platform, 'POST', `/v1/tickets/${ticketId}/complete`, {
          key: providerKey,
          body: { leaseToken: item.leaseToken },
        });
        return true;
      },
      (done) => done,
    );
    await api(platform, 'POST', `/v1/tickets/${ticketId}/feedback`, {
      key: sourceKey,
      body: { qaScore: 0.9 },
    });
    await api(platform, 'POST', `/v1/tickets/${ticketId}/feedback`, {
      key: sourceKey,
      body: { reopen: true, reason: 'not fixed' },
    });
    // fees 3.00; sla 100 % and quality 0.90 met; reopens 1/1 missed → 5 % = 0.15; csat not measured
    const net = await waitFor(
      async () =>
        (await api(platform, 'GET', `/v1/providers/${providerId}/scorecard?period=${period}`)).body
          .netPayable,
      (value) => value === '2.85',
    );
    expect(net).toBe('2.85');
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1440, height: 1200 }, acceptDownloads: true });
    page.setDefaultTimeout(30_000);
  });

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('shows one card per provider with KPI tiles green, red and grey, its money and a trend chart', async () => {
    await page.goto(platform.url);
    await page.getByLabel('Admin key').fill(platform.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const card = page.locator(`#contracts-cards article[data-provider="${providerId}"]`);
    await card.waitFor();
    expect(await page.locator('#contracts-period').inputValue()).toBe(period);
    const colour = (kpi: string) => card.locator(`li[data-kpi="${kpi}"]`).getAttribute('data-colour');
    expect([
      await colour('sla'),
      await colour('quality'),
      await colour('reopens'),
      await colour('csat'),
    ]).toStrictEqual(['green', 'green', 'red', 'grey']);
    expect(await card.locator('dd[data-field="Fees"]').textContent()).toBe('3.00');
    expect(await card.locator('dd[data-field="Net payable"]').textContent()).toBe('2.85');
    expect(await card.locator('dd[data-field="Projected net payable"]').count()).toBe(1);
    await expect
      .poll(() => page.evaluate(() => Boolean(document.querySelector('.trend-box canvas')?.clientHeight)))
      .toBe(true);
  });

  it('downloads the period as CSV', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`scorecards-${period}.csv`);
    const text = readFileSync((await download.path())!, 'utf8');
    expect(text.split('\r\n').filter((row) => row.startsWith(`${providerId},`))).toHaveLength(4);
  });

  it('says so when no provider has a contract in the chosen period', async () => {
    const earlier = DateTime.now().setZone(ZONE).minus({ months: 2 }).toFormat('yyyy-MM');
    await page.locator('#contracts-period').selectOption(earlier);
    await expect
      .poll(() => page.locator('#contracts-status').textContent())
      .toContain(`measured by ${earlier}`);
    expect(await page.locator('#contracts-cards article').count()).toBe(0);
  });
});
