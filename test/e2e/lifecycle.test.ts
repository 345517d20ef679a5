import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Platform, startPlatform } from './platform.js';

const provider = (overrides: Record<string, unknown> = {}) => ({
  status: 'active',
  timeZone: 'UTC',
  skills: { billing: 4 },
  capacity: 5,
  throughputPerHour: 30,
  costPerItem: 1,
  dataClearance: 'confidential',
  ...overrides,
});

describe('a provider integration runs the whole loop against npm start', () => {
  let platform: Platform;
  let sourceKey: string;
  let manilaKey: string;

  const waitFor = async <T>(
    read: () => Promise<T>,
    done: (value: T) => boolean,
    what: string,
    seconds = 15,
  ): Promise<T> => {
    for (let attempt = 0; attempt < seconds * 10; attempt++) {
      const value = await read();
      if (done(value)) return value;
      await sleep(100);
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  const ticket = (id: string) => api(platform, 'GET', `/v1/tickets/${id}`).then((response) => response.body);
  const submit = async (body: Record<string, unknown> = {}) =>
    (
      await api(platform, 'POST', '/v1/tickets', {
        key: sourceKey,
        body: {
          externalId: crypto.randomUUID(),
          kind: 'front_office',
          skill: 'billing',
          priority: 'P2',
          ...body,
        },
      })
    ).body.ticketId as string;
  /**
   * Leases until the ticket is among the items: the provider queue is an index, and in AWS (or under
   * OUTROUTE_FAULTS index lag) a ticket shows there a moment after it is queued.
   */
  const leaseIncluding = async (id: string, body: Record<string, unknown>) =>
    waitFor(
      () => api(platform, 'POST', '/v1/providers/manila/lease', { key: manilaKey, body }),
      (leased) =>
        leased.status !== 200 ||
        leased.body.items.some((entry: { ticketId: string }) => entry.ticketId === id),
      `a lease of ${id}`,
    );
  /** Open items agree with the listings; listings are index reads, so they are read again until they settle. */
  const audit = async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        await auditOnce();
        return;
      } catch (error) {
        if (attempt >= 20) throw error;
        await sleep(250);
      }
    }
  };
  const auditOnce = async () => {
    const { body } = await api(platform, 'GET', '/v1/providers');
    for (const item of body.items) {
      const counted = [];
      for (const status of ['queued', 'leased']) {
        const listed = await api(
          platform,
          'GET',
          `/v1/tickets?status=${status}&providerId=${item.providerId}&limit=200`,
        );
        counted.push(...listed.body.items);
      }
      expect({ providerId: item.providerId, openItems: item.openItems }).toStrictEqual({
        providerId: item.providerId,
        openItems: counted.length,
      });
    }
  };

  beforeAll(async () => {
    platform = await startPlatform();
    await api(platform, 'PUT', '/v1/providers/manila', { body: provider({ costPerItem: 1 }) });
    await api(platform, 'PUT', '/v1/providers/austin', { body: provider({ costPerItem: 5 }) });
    sourceKey = (await api(platform, 'POST', '/v1/sources/crm/keys')).body.apiKey;
    manilaKey = (await api(platform, 'POST', '/v1/providers/manila/keys')).body.apiKey;
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('leases, extends and completes with a provider key; the slot frees and the metrics count it', async () => {
    const id = await submit({ payload: { invoice: 'INV-7', amount: 42.5 } });
    await waitFor(
      () => ticket(id),
      (t) => t.status === 'queued',
      'routing',
    );
    const leased = await leaseIncluding(id, { max: 5, leaseSeconds: 60 });
    expect(leased.status).toBe(200);
    const item = leased.body.items.find((entry: { ticketId: string }) => entry.ticketId === id);
    expect(item).toMatchObject({
      ticketId: id,
      skill: 'billing',
      priority: 'P2',
      payload: { invoice: 'INV-7', amount: 42.5 },
    });
    const wrong = await api(platform, 'POST', `/v1/tickets/${id}/complete`, {
      key: manilaKey,
      body: { leaseToken: 'nope' },
    });
    expect(wrong).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
    const extended = await api(platform, 'POST', `/v1/tickets/${id}/extend`, {
      key: manilaKey,
      body: { leaseToken: item.leaseToken, leaseSeconds: 600 },
    });
    expect(extended.status).toBe(200);
    const done = await api(platform, 'POST', `/v1/tickets/${id}/complete`, {
      key: manilaKey,
      body: { leaseToken: item.leaseToken, resolution: 'refund issued' },
    });
    expect(done).toMatchObject({ status: 200, body: { status: 'completed' } });
    // A completed ticket is no longer the provider's to see.
    expect((await api(platform, 'GET', `/v1/tickets/${id}`, { key: manilaKey })).status).toBe(404);
    const read = await ticket(id);
    expect(read).toMatchObject({ status: 'completed', sla: { state: 'met', breached: false } });
    expect(read.history.map((entry: { event: string }) => entry.event)).toStrictEqual([
      'received',
      'queued',
      'leased',
      'extended',
      'completed',
    ]);
    const metrics = await waitFor(
      () => api(platform, 'GET', '/v1/metrics/providers').then((response) => response.body),
      // The stream consumer counts the completion and gives the slot back in one write; this
      // answer reads the provider before its counters, so it may see one without the other.
      (body) => {
        const row = body.items.find((each: { providerId: string }) => each.providerId === 'manila');
        return row?.completed === 1 && row?.openItems === 0;
      },
      'metrics',
    );
    expect(metrics.items.find((row: { providerId: string }) => row.providerId === 'manila')).toMatchObject({
      completed: 1,
      slaAttainment: 1,
      openItems: 0,
    });
    await audit();
  });

  it('rejects to the other provider, and cancel frees the slot', async () => {
    const id = await submit();
    await waitFor(
      () => ticket(id),
      (t) => t.status === 'queued' && t.providerId === 'manila',
      'routing to manila',
    );
    const { body } = await leaseIncluding(id, { max: 50 });
    const item = body.items.find((entry: { ticketId: string }) => entry.ticketId === id);
    const rejected = await api(platform, 'POST', `/v1/tickets/${id}/reject`, {
      key: manilaKey,
      body: { leaseToken: item.leaseToken, reason: 'outside our scope' },
    });
    expect(rejected.status).toBe(200);
    const rerouted = await waitFor(
      () => ticket(id),
      (t) => t.status === 'queued',
      're-routing',
    );
    expect(rerouted).toMatchObject({ providerId: 'austin', attempts: 2 });
    const manilaCandidate = rerouted.routing.candidates.find(
      (c: { providerId: string }) => c.providerId === 'manila',
    );
    expect(manilaCandidate.reasons).toContain('rejected_before');
    expect(
      (await api(platform, 'POST', `/v1/tickets/${id}/cancel`, { key: sourceKey, body: {} })).status,
    ).toBe(200);
    expect((await ticket(id)).status).toBe('cancelled');
    await audit();
  });

  it('returns an unextended expired lease to routing', async () => {
    const id = await submit();
    await waitFor(
      () => ticket(id),
      (t) => t.status === 'queued' && t.providerId === 'manila',
      'routing to manila',
    );
    await leaseIncluding(id, { max: 50, leaseSeconds: 30 });
    const back = await waitFor(
      () => ticket(id),
      (t) => t.attempts === 2 && t.status === 'queued',
      'the lease to expire and the ticket to be routed again',
      60,
    );
    expect(back.history.map((entry: { event: string }) => entry.event)).toContain('expired');
    await audit();
  }, 120_000);

  it('fails over the queued tickets of a provider that goes offline, within seconds', async () => {
    const ids = [await submit(), await submit()];
    await Promise.all(
      ids.map((id) =>
        waitFor(
          () => ticket(id),
          (t) => t.status === 'queued',
          'routing',
        ),
      ),
    );
    await api(platform, 'PUT', '/v1/providers/manila', {
      body: provider({ costPerItem: 1, status: 'offline' }),
    });
    for (const id of ids) {
      const moved = await waitFor(
        () => ticket(id),
        (t) => t.status === 'queued' && t.providerId === 'austin',
        'failover',
      );
      expect(moved.history.map((entry: { event: string }) => entry.event)).toContain('rerouted');
    }
    await audit();
  });
});
