// SLA policies through `npm start`: the Friday example and a pickup + first-response flow with metrics.
import { setTimeout as sleep } from 'node:timers/promises';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Platform, startPlatform } from './platform.js';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const hhmm = (minutes: number) =>
  minutes === 1440
    ? '24:00'
    : `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

describe('SLA policies through npm start', () => {
  let platform: Platform;
  let sourceKey: string;

  beforeAll(async () => {
    platform = await startPlatform();
    sourceKey = (await api(platform, 'POST', '/v1/sources/e2e-sla/keys')).body.apiKey;
  });

  afterAll(async () => {
    await platform?.stop();
  });

  const submit = async (body: Record<string, unknown>) => {
    const response = await api(platform, 'POST', '/v1/tickets', {
      key: sourceKey,
      body: { externalId: crypto.randomUUID(), kind: 'back_office', ...body },
    });
    expect(response.status).toBe(202);
    return response.body as { ticketId: string; dueAt: string; createdAt: string };
  };

  it('the Friday example: one business day from 5 minutes before Friday closing is Monday at the same time, Tuesday when Monday is a holiday', async () => {
    // The platform runs on the real clock, so "Friday" is today: today is the last open day of a
    // week whose next two days are closed (the weekend), its window closing 5 minutes from now; the day
    // after the weekend ("Monday") opens the same hours. New York when its local time allows a window
    // of 8 hours ending then, else the first zone where it does.
    const zones = [
      'America/New_York',
      'Europe/London',
      'Asia/Kolkata',
      'Australia/Sydney',
      'Pacific/Honolulu',
    ];
    const soon = Date.now() + 60_000;
    const timeZone = zones.find((zone) => {
      const local = DateTime.fromMillis(soon, { zone });
      const minutes = local.hour * 60 + local.minute;
      return minutes >= 8 * 60 && minutes + 6 <= 24 * 60 - 5;
    })!;
    const local = DateTime.fromMillis(soon, { zone: timeZone });
    const closesAt = local.hour * 60 + local.minute + 6;
    const window: [string, string][] = [[hhmm(closesAt - 8 * 60), hhmm(closesAt)]];
    const friday = local.weekday - 1;
    const businessHours = Object.fromEntries(
      [0, 3, 4, 5, 6].map((offset) => [WEEKDAYS[(friday + offset) % 7], window]),
    );
    const monday = local.plus({ days: 3 });
    const policy = (holidays: string[]) => ({
      order: 1,
      match: { skill: ['claims'] },
      calendar: { timeZone, businessHours, holidays },
      targets: { P3: { resolutionSeconds: 8 * 3600 } },
    });

    const put = await api(platform, 'PUT', '/v1/sla-policies/one-business-day', { body: policy([]) });
    expect(put.status).toBe(201);
    const ticket = await submit({ skill: 'claims', priority: 'P3' });
    const created = DateTime.fromISO(ticket.createdAt, { zone: timeZone });
    expect(
      created < DateTime.fromMillis(soon, { zone: timeZone }).set({ second: 0 }).plus({ minutes: 6 }),
    ).toBe(true);
    // Same wall-clock time, three days on ("Monday 16:55").
    expect(ticket.dueAt).toBe(created.plus({ days: 3 }).toUTC().toISO());

    expect(
      (
        await api(platform, 'PUT', '/v1/sla-policies/one-business-day', {
          body: policy([monday.toISODate()!]),
        })
      ).status,
    ).toBe(200);
    const afterHoliday = await submit({ skill: 'claims', priority: 'P3' });
    const createdToo = DateTime.fromISO(afterHoliday.createdAt, { zone: timeZone });
    expect(afterHoliday.dueAt).toBe(createdToo.plus({ days: 4 }).toUTC().toISO());

    const read = await api(platform, 'GET', `/v1/tickets/${ticket.ticketId}`, { key: sourceKey });
    expect(read.body.sla).toMatchObject({
      policyId: 'one-business-day',
      targets: { resolution: { dueAt: ticket.dueAt, breached: false } },
    });
  });

  it('pickup and first response: met by the lease and the provider’s report, counted in GET /v1/metrics/sla', async () => {
    await api(platform, 'PUT', '/v1/providers/sla-bpo', {
      body: {
        status: 'active',
        timeZone: 'UTC',
        skills: { refunds: 3 },
        capacity: 10,
        throughputPerHour: 20,
        dataClearance: 'confidential',
      },
    });
    const providerKey = (await api(platform, 'POST', '/v1/providers/sla-bpo/keys')).body.apiKey;
    expect(
      (
        await api(platform, 'PUT', '/v1/sla-policies/refunds-fast', {
          body: {
            match: { skill: ['refunds'] },
            targets: { P2: { pickupSeconds: 900, firstResponseSeconds: 3600, resolutionSeconds: 14_400 } },
          },
        })
      ).status,
    ).toBe(201);
    const { ticketId } = await submit({ skill: 'refunds', priority: 'P2' });
    let items: { ticketId: string; leaseToken: string }[] = [];
    for (let attempt = 0; attempt < 100 && !items.length; attempt++) {
      items = (
        await api(platform, 'POST', '/v1/providers/sla-bpo/lease', { key: providerKey, body: { max: 1 } })
      ).body.items;
      if (!items.length) await sleep(100);
    }
    expect(items[0]?.ticketId).toBe(ticketId);
    const leaseToken = items[0]!.leaseToken;
    const responded = await api(platform, 'POST', `/v1/tickets/${ticketId}/respond`, {
      key: providerKey,
      body: { leaseToken },
    });
    expect(responded.status).toBe(200);
    expect(
      (
        await api(platform, 'POST', `/v1/tickets/${ticketId}/respond`, {
          key: providerKey,
          body: { leaseToken },
        })
      ).status,
    ).toBe(409);
    expect(
      (
        await api(platform, 'POST', `/v1/tickets/${ticketId}/complete`, {
          key: providerKey,
          body: { leaseToken },
        })
      ).status,
    ).toBe(200);
    const ticket = (await api(platform, 'GET', `/v1/tickets/${ticketId}`)).body;
    expect(ticket.sla).toMatchObject({
      policyId: 'refunds-fast',
      targets: {
        pickup: { breached: false, metAt: expect.any(String) },
        firstResponse: { breached: false, metAt: responded.body.respondedAt },
        resolution: { breached: false, metAt: ticket.completedAt },
      },
    });
    // The SLA figures follow the table stream (and index reads): read again until they include the ticket.
    const rows = async () => {
      const metrics = await api(platform, 'GET', '/v1/metrics/sla?policyId=refunds-fast');
      expect(metrics.status).toBe(200);
      return metrics.body.items.map((row: Record<string, unknown>) => [
        row.target,
        row.tickets,
        row.met,
        row.attainment,
      ]);
    };
    await expect.poll(rows, { timeout: 30_000, interval: 250 }).toStrictEqual([
      ['pickup', 1, 1, 1],
      ['firstResponse', 1, 1, 1],
      ['resolution', 1, 1, 1],
    ]);
  });
});
