// Issue 11 through the real HTTP chain (local API Gateway mapping, authorizer,
// middy chain, handlers, DynamoDB Local): hostile input never causes a 5xx or
// corrupts data, cursors are tamper-proof, provider configurations are sane,
// vendors never see each other, retried completes are idempotent, and keys
// can be listed, revoked, expired and rotated.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drainRoutingQueue, indexesSettled, testContext } from '../fixtures/context.js';
import { providerInput, uniqueId } from '../fixtures/entities.js';
import { givenKey, isContractError, startTestApi, type TestApi } from '../fixtures/http.js';
import { routeNow } from '../fixtures/routing.js';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';

const ctx = testContext();
let api: TestApi;
let admin: string;
let adminKeyId: string;

beforeAll(async () => {
  api = await startTestApi();
  ({ apiKey: admin, keyId: adminKeyId } = await givenKey(ctx, { role: 'admin' }));
});
afterAll(async () => {
  await api.stop();
});

const provider24x7 = (overrides: Record<string, unknown> = {}) => ({
  ...providerInput({ timeZone: 'UTC' }),
  businessHours: undefined,
  ...overrides,
});

/** A provider (own skill), its key, and a source key. */
async function givenWorld(options: { capacity?: number; providers?: number } = {}) {
  const skill = uniqueId('skill');
  const providerIds: string[] = [];
  for (let index = 0; index < (options.providers ?? 1); index++) {
    const providerId = uniqueId('bpo');
    const put = await api.call('PUT', `/v1/providers/${providerId}`, {
      key: admin,
      body: provider24x7({
        skills: { [skill]: 5 },
        capacity: options.capacity ?? 50,
        costPerItem: 1 + index,
      }),
    });
    expect(put.status).toBe(200);
    providerIds.push(providerId);
  }
  const sourceId = uniqueId('crm');
  const sourceKey = (await givenKey(ctx, { role: 'source', sourceId })).apiKey;
  const providerKeys = await Promise.all(
    providerIds.map(async (providerId) => (await givenKey(ctx, { role: 'provider', providerId })).apiKey),
  );
  return { skill, providerIds, providerKeys, sourceId, sourceKey };
}

async function submit(sourceKey: string, skill: string, extra: Record<string, unknown> = {}) {
  const answer = await api.call('POST', '/v1/tickets', {
    key: sourceKey,
    body: { externalId: uniqueId('ZD'), kind: 'front_office', skill, priority: 'P2', ...extra },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return answer.body.ticketId as string;
}

async function leaseAll(providerId: string, key: string, max = 50) {
  const answer = await api.call('POST', `/v1/providers/${providerId}/lease`, { key, body: { max } });
  expect(answer.status).toBe(200);
  return answer.body.items as { ticketId: string; leaseToken: string; payload: unknown }[];
}

function expectClientError(answer: { status: number; body: unknown }, status = 400) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(isContractError(answer.body)).toBe(true);
}

describe('point 1: hostile input gets a 4xx in the contract shape, never a 5xx', () => {
  it.each([
    ['a malformed %-escape in a provider id', 'GET', '/v1/providers/%E0%A4%A'],
    ['a malformed %-escape in a ticket id', 'GET', '/v1/tickets/%zz'],
    ['a malformed %-escape on a delete', 'DELETE', '/v1/providers/abc%'],
    ['a provider id over 2 KB', 'GET', `/v1/providers/${'a'.repeat(3000)}`],
    ['a ticket id over 2 KB', 'POST', `/v1/tickets/${'a'.repeat(3000)}/cancel`],
    ['a key id that is no key id', 'DELETE', '/v1/keys/not-a-key'],
  ])('%s', async (_case, method, path) => {
    const answer = await api.call(method, path, { key: admin });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(isContractError(answer.body)).toBe(true);
  });

  it.each([
    ['throughputPerHour beyond 2^53', { throughputPerHour: 2 ** 60 }],
    ['costPerItem of 1e300', { costPerItem: 1e300 }],
    ['qualityScore below 1e-130', { qualityScore: 1e-200 }],
    ['allocationShare of a denormal', { allocationShare: 5e-324 }],
    ['a skill named constructor', { skills: { constructor: 3 } }],
    ['a skill named __proto__', { skills: JSON.parse('{"__proto__": 3}') }],
  ])('a provider with %s is refused', async (_case, overrides) => {
    const answer = await api.call('PUT', `/v1/providers/${uniqueId('bpo')}`, {
      key: admin,
      rawBody: JSON.stringify(provider24x7(overrides)),
    });
    expectClientError(answer);
  });

  it.each([
    [
      '/v1/routing-policy',
      {
        weights: { slack: 1e300, cost: 0, quality: 0, share: 0, load: 0 },
        relaxProficiencyAfterSeconds: 900,
      },
    ],
    [
      '/v1/routing-policy',
      {
        weights: { slack: 1e-200, cost: 0, quality: 0, share: 0, load: 0 },
        relaxProficiencyAfterSeconds: 900,
      },
    ],
    [
      '/v1/routing-policy',
      {
        weights: { slack: 1, cost: 0, quality: 0, share: 0, load: 0 },
        relaxProficiencyAfterSeconds: 2 ** 60,
      },
    ],
    ['/v1/sla-policy', { targets: { P1: 2 ** 60, P2: 1, P3: 1, P4: 1 }, atRiskFraction: 0.5 }],
    ['/v1/sla-policy', { targets: { P1: 1, P2: 1, P3: 1, P4: 1 }, atRiskFraction: 1e-300 }],
  ])('PUT %s with out-of-range numbers is refused', async (path, body) => {
    expectClientError(await api.call('PUT', path, { key: admin, body }));
  });

  it('refuses a body nested deeper than 64 levels, and a payload number beyond a 64-bit float', async () => {
    const { sourceKey, skill } = await givenWorld();
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const body = (payload: string) =>
      `{"externalId":"${uniqueId('X')}","kind":"front_office","skill":"${skill}","priority":"P2","payload":${payload}}`;
    expectClientError(await api.call('POST', '/v1/tickets', { key: sourceKey, rawBody: body(deep) }));
    expectClientError(
      await api.call('POST', '/v1/tickets', { key: sourceKey, rawBody: body('{"n": 1e400}') }),
    );
    // 40 levels is deeper than DynamoDB's 32 for maps, and fine as a payload
    const nested = `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`;
    expect((await api.call('POST', '/v1/tickets', { key: sourceKey, rawBody: body(nested) })).status).toBe(
      202,
    );
  });
});

describe('point 2: a payload comes back equal to what was sent', () => {
  it('keeps constructor, __proto__ and empty-string keys, deep nesting and big numbers', async () => {
    const { sourceKey, skill, providerIds, providerKeys } = await givenWorld();
    const text =
      '{"constructor":{"name":"String"},"__proto__":{"polluted":true},"":"empty","big":9007199254740991,"tiny":1e-300,"huge":1e300,"list":[null,true,"x",[[[]]]]}';
    const ticketId = await submit(sourceKey, skill, { payload: JSON.parse(text) });
    await routeNow(ctx, [ticketId]);
    const [item] = await leaseAll(providerIds[0] as string, providerKeys[0] as string);
    expect(item?.ticketId).toBe(ticketId);
    expect(JSON.stringify(item?.payload)).toBe(JSON.stringify(JSON.parse(text)));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('round-trips any JSON value (property)', async () => {
    const { sourceKey, skill, providerIds, providerKeys } = await givenWorld({ capacity: 1000 });
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 6 }), async (payload) => {
        const ticketId = await submit(sourceKey, skill, { payload });
        await routeNow(ctx, [ticketId]);
        const [item] = await leaseAll(providerIds[0] as string, providerKeys[0] as string, 1);
        expect(item?.ticketId).toBe(ticketId);
        // equal in meaning: the same value after JSON on both sides
        expect(item?.payload).toStrictEqual(JSON.parse(JSON.stringify(payload)));
      }),
      { numRuns: 25 },
    );
    await drainRoutingQueue();
  });
});

describe('point 3: list cursors are opaque and tamper-proof', () => {
  it('follows its own cursor, and refuses forged, altered or foreign ones with 400', async () => {
    const { sourceKey, skill } = await givenWorld();
    for (let index = 0; index < 3; index++) await submit(sourceKey, skill);
    await indexesSettled(); // the status listing is an index
    const first = await api.call('GET', '/v1/tickets?status=received&limit=1', { key: sourceKey });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    const cursor = first.body.cursor as string;
    const next = await api.call('GET', `/v1/tickets?status=received&limit=1&cursor=${cursor}`, {
      key: sourceKey,
    });
    expect(next.status).toBe(200);
    expect(next.body.items[0].ticketId).not.toBe(first.body.items[0].ticketId);

    const forged = Buffer.from(JSON.stringify({ s: -1e308 })).toString('base64url');
    const forgedKey = Buffer.from(JSON.stringify({ s: 0, k: { pk: 'x', gsi3pk: 'STATUS#parked' } })).toString(
      'base64url',
    );
    const [body, signature] = cursor.split('.') as [string, string];
    const altered = `${Buffer.from(JSON.stringify({ s: 0, k: { pk: 'TICKET#0', sk: 'TICKET' } })).toString('base64url')}.${signature}`;
    for (const bad of [forged, forgedKey, `${forged}.${signature}`, altered, `${body}.AAAA`, `${cursor}.x`]) {
      expectClientError(
        await api.call('GET', `/v1/tickets?status=received&limit=1&cursor=${encodeURIComponent(bad)}`, {
          key: sourceKey,
        }),
      );
    }
    // a cursor of one query does not continue another
    expectClientError(
      await api.call('GET', `/v1/tickets?status=parked&limit=1&cursor=${cursor}`, { key: sourceKey }),
    );
    expectClientError(
      await api.call('GET', `/v1/tickets?status=received&limit=1&cursor=${cursor}`, { key: admin }),
    );
  });
});

describe('point 4 (validation): provider configurations within sane ranges', () => {
  it.each([
    ['throughputPerHour 1e-12', { throughputPerHour: 1e-12 }],
    ['throughputPerHour 0', { throughputPerHour: 0 }],
    ['throughputPerHour 0.001', { throughputPerHour: 0.001 }],
    ['costPerItem with 9 decimals', { costPerItem: 0.123456789 }],
    ['costPerItem beyond a million', { costPerItem: 1_000_001 }],
    ['a negative costPerItem', { costPerItem: -1 }],
    ['a fractional capacity', { capacity: 1.5 }],
    ['a capacity beyond a million', { capacity: 1_000_001 }],
  ])('refuses %s with 400 and keeps the stored provider', async (_case, overrides) => {
    const { providerIds } = await givenWorld();
    const providerId = providerIds[0] as string;
    const before = await api.call('GET', `/v1/providers/${providerId}`, { key: admin });
    expectClientError(
      await api.call('PUT', `/v1/providers/${providerId}`, { key: admin, body: provider24x7(overrides) }),
    );
    expect((await api.call('GET', `/v1/providers/${providerId}`, { key: admin })).body).toStrictEqual(
      before.body,
    );
  });

  it('accepts the slowest sane provider: 0.01 items an hour, prices with 4 decimals', async () => {
    const answer = await api.call('PUT', `/v1/providers/${uniqueId('bpo')}`, {
      key: admin,
      body: provider24x7({ throughputPerHour: 0.01, costPerItem: 0.1234 }),
    });
    expect(answer.status).toBe(200);
  });
});

describe('point 7: vendors never see each other', () => {
  it('shows admin every candidate, a provider only its own entry, a source the outcome', async () => {
    const { sourceKey, skill, providerIds, providerKeys } = await givenWorld({ providers: 3 });
    const ticketId = await submit(sourceKey, skill);
    expect(await routeNow(ctx, [ticketId])).toStrictEqual(['queued']);
    const asAdmin = (await api.call('GET', `/v1/tickets/${ticketId}`, { key: admin })).body;
    expect(asAdmin.routing.candidates.map((c: { providerId: string }) => c.providerId).sort()).toStrictEqual(
      expect.arrayContaining([...providerIds].sort()),
    );
    const holder = asAdmin.providerId as string;
    const holderKey = providerKeys[providerIds.indexOf(holder)] as string;
    const asProvider = await api.call('GET', `/v1/tickets/${ticketId}`, { key: holderKey });
    expect(asProvider.status).toBe(200);
    expect(asProvider.body.routing.candidates).toStrictEqual([
      expect.objectContaining({ providerId: holder }),
    ]);
    const others = providerIds.filter((id) => id !== holder);
    for (const other of others) expect(JSON.stringify(asProvider.body)).not.toContain(other);

    const asSource = await api.call('GET', `/v1/tickets/${ticketId}`, { key: sourceKey });
    expect(asSource.body.routing).toStrictEqual({
      decidedAt: expect.any(String),
      providerId: holder,
      reason: expect.any(String),
    });
    const listed = await api.call('GET', '/v1/tickets?status=queued', { key: sourceKey });
    for (const item of listed.body.items) expect(item.routing).not.toHaveProperty('candidates');
  });
});

describe('point 8: a retried complete is idempotent; any other stale token is 409 for every role', () => {
  it('answers a retried complete with the same result, and 409 to anything else', async () => {
    const { sourceKey, skill, providerIds, providerKeys } = await givenWorld();
    const providerId = providerIds[0] as string;
    const key = providerKeys[0] as string;
    const ticketId = await submit(sourceKey, skill);
    await routeNow(ctx, [ticketId]);
    const [item] = await leaseAll(providerId, key);
    const leaseToken = item?.leaseToken as string;
    const done = await api.call('POST', `/v1/tickets/${ticketId}/complete`, { key, body: { leaseToken } });
    expect(done.status).toBe(200);
    for (const caller of [key, admin]) {
      const again = await api.call('POST', `/v1/tickets/${ticketId}/complete`, {
        key: caller,
        body: { leaseToken },
      });
      expect(again).toMatchObject({ status: 200, body: done.body });
      for (const action of ['release', 'reject', 'extend']) {
        const stale = await api.call('POST', `/v1/tickets/${ticketId}/${action}`, {
          key: caller,
          body: { leaseToken, ...(action === 'reject' ? { reason: 'no' } : {}) },
        });
        expect(stale.status, `${action}`).toBe(409);
      }
      const wrong = await api.call('POST', `/v1/tickets/${ticketId}/complete`, {
        key: caller,
        body: { leaseToken: 'not-the-token' },
      });
      expectClientError(wrong, 409);
    }
    // a provider that never held it still finds nothing
    const stranger = (await givenKey(ctx, { role: 'provider', providerId: uniqueId('bpo') })).apiKey;
    expect(
      (await api.call('POST', `/v1/tickets/${ticketId}/complete`, { key: stranger, body: { leaseToken } }))
        .status,
    ).toBe(404);
  });
});

describe('point 6: keys can be listed, revoked, expired and rotated', () => {
  it('lists keys without secrets, and a revoked key gets 401 at once', async () => {
    const { providerIds } = await givenWorld();
    const providerId = providerIds[0] as string;
    const created = await api.call('POST', `/v1/providers/${providerId}/keys`, { key: admin });
    expect(created).toMatchObject({
      status: 201,
      body: { keyId: expect.any(String), apiKey: expect.any(String), expiresAt: null },
    });
    const { keyId, apiKey } = created.body as { keyId: string; apiKey: string };
    expect((await api.call('GET', `/v1/providers/${providerId}`, { key: apiKey })).status).toBe(200);

    await indexesSettled(); // the key listing is an index
    const listed = await api.call('GET', `/v1/keys?role=provider&ownerId=${providerId}`, { key: admin });
    expect(listed.status).toBe(200);
    const entry = listed.body.items.find((item: { keyId: string }) => item.keyId === keyId);
    expect(entry).toStrictEqual({
      keyId,
      role: 'provider',
      ownerId: providerId,
      createdAt: expect.any(String),
      lastUsedAt: expect.any(String),
      expiresAt: null,
    });
    expect(JSON.stringify(listed.body)).not.toContain(apiKey);

    expect((await api.call('DELETE', `/v1/keys/${keyId}`, { key: admin })).status).toBe(204);
    expectClientError(await api.call('GET', `/v1/providers/${providerId}`, { key: apiKey }), 401);
    expectClientError(await api.call('DELETE', `/v1/keys/${keyId}`, { key: admin }), 404);
  });

  it('refuses an expiry in the past, and an expired key gets 401', async () => {
    const sourceId = uniqueId('crm');
    expectClientError(
      await api.call('POST', `/v1/sources/${sourceId}/keys`, {
        key: admin,
        body: { expiresAt: '2001-01-01T00:00:00Z' },
      }),
    );
    const soon = new Date(Date.now() + 1500).toISOString();
    const created = await api.call('POST', `/v1/sources/${sourceId}/keys`, {
      key: admin,
      body: { expiresAt: soon },
    });
    expect(created.body.expiresAt).toBe(soon);
    const expired = (
      await givenKey(ctx, { role: 'source', sourceId }, new Date(Date.now() - 1000).toISOString())
    ).apiKey;
    expectClientError(await api.call('GET', '/v1/tickets', { key: expired }), 401);
  });

  it('rotates: a new key at once, the old one until the grace period ends', async () => {
    const sourceId = uniqueId('crm');
    const old = await api.call('POST', `/v1/sources/${sourceId}/keys`, { key: admin });
    await indexesSettled(); // a key is found by id through an index
    const rotated = await api.call('POST', `/v1/keys/${old.body.keyId}/rotate`, {
      key: admin,
      body: { graceSeconds: 3600 },
    });
    expect(rotated).toMatchObject({
      status: 201,
      body: { keyId: expect.any(String), apiKey: expect.any(String), previous: { keyId: old.body.keyId } },
    });
    expect((await api.call('GET', '/v1/tickets', { key: rotated.body.apiKey })).status).toBe(200);
    expect((await api.call('GET', '/v1/tickets', { key: old.body.apiKey })).status).toBe(200);
    await indexesSettled(); // the key listing is an index
    const listed = await api.call('GET', `/v1/keys?ownerId=${sourceId}`, { key: admin });
    expect(listed.body.items).toHaveLength(2);
    // rotating again with no grace ends the previous key now
    await api.call('POST', `/v1/keys/${old.body.keyId}/rotate`, { key: admin, body: { graceSeconds: 0 } });
    expectClientError(await api.call('GET', '/v1/tickets', { key: old.body.apiKey }), 401);
  });

  it("revokes a provider's keys with the provider: the old key does not come back with a re-created provider", async () => {
    const { providerIds, providerKeys } = await givenWorld();
    const providerId = providerIds[0] as string;
    const key = providerKeys[0] as string;
    expect((await api.call('POST', `/v1/providers/${providerId}/lease`, { key, body: {} })).status).toBe(200);
    expect((await api.call('DELETE', `/v1/providers/${providerId}`, { key: admin })).status).toBe(204);
    expectClientError(await api.call('POST', `/v1/providers/${providerId}/lease`, { key, body: {} }), 401);
    expect(
      (await api.call('PUT', `/v1/providers/${providerId}`, { key: admin, body: provider24x7() })).status,
    ).toBe(200);
    expectClientError(await api.call('GET', `/v1/providers/${providerId}`, { key }), 401);
  });
});

describe('point 9: the access audit trail', () => {
  it('records each payload read with who, what, when and the request, never the payload', async () => {
    const { sourceKey, skill, providerIds, providerKeys } = await givenWorld();
    const secret = uniqueId('card-number');
    const ticketId = await submit(sourceKey, skill, { payload: { secret } });
    await routeNow(ctx, [ticketId]);
    await leaseAll(providerIds[0] as string, providerKeys[0] as string);
    await indexesSettled(); // the audit trail by actor is an index
    const trail = await api.call('GET', `/v1/audit?ticketId=${ticketId}`, { key: admin });
    expect(trail.status).toBe(200);
    expect(trail.body.items).toStrictEqual([
      {
        at: expect.any(String),
        actor: { keyId: expect.stringMatching(/^key_/), role: 'provider', ownerId: providerIds[0] },
        action: 'ticket.payload_read',
        target: `ticket:${ticketId}`,
        requestId: expect.any(String),
      },
    ]);
    expect(JSON.stringify(trail.body)).not.toContain(secret);
    // kept for the retention time: DynamoDB's TTL attribute on the stored entry (the lease request's
    // entry, found by its actor; it lists the tickets the request read)
    const stored = await ctx.table.db.send(
      new QueryCommand({
        TableName: ctx.table.name,
        IndexName: 'by-status',
        KeyConditionExpression: 'gsi3pk = :pk',
        ExpressionAttributeValues: { ':pk': `AUDIT#ACTOR#${trail.body.items[0].actor.keyId}` },
      }),
    );
    const { pk, sk } = stored.Items?.at(-1) as { pk: string; sk: string };
    const entry = await ctx.table.db.send(new GetCommand({ TableName: ctx.table.name, Key: { pk, sk } }));
    const item = entry.Item as { expiresAt: number; at: string; targets: string[] };
    expect(item.targets).toContain(`ticket:${ticketId}`);
    expect(item.expiresAt).toBe(Math.floor(Date.parse(item.at) / 1000) + 365 * 86_400);
    expect(JSON.stringify(stored.Items)).not.toContain(secret);
  });

  it('records configuration and key changes by actor, queryable by time window and page by page', async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    const providerId = uniqueId('bpo');
    await api.call('PUT', `/v1/providers/${providerId}`, { key: admin, body: provider24x7() });
    await api.call('POST', `/v1/providers/${providerId}/status`, { key: admin, body: { status: 'paused' } });
    const created = await api.call('POST', `/v1/providers/${providerId}/keys`, { key: admin });
    await api.call('PUT', '/v1/routing-policy', {
      key: admin,
      body: {
        weights: { slack: 0.3, cost: 0.3, quality: 0.15, share: 0.15, load: 0.1 },
        relaxProficiencyAfterSeconds: 900,
      },
    });
    await api.call('DELETE', `/v1/providers/${providerId}`, { key: admin });
    await indexesSettled(); // the audit trail by actor is an index
    const mine = await api.call('GET', `/v1/audit?actor=${adminKeyId}&from=${from}`, { key: admin });
    expect(mine.status, JSON.stringify(mine.body)).toBe(200);
    const actions = mine.body.items.map(
      (entry: { action: string; target: string }) => `${entry.action} ${entry.target}`,
    );
    expect(actions).toEqual(
      expect.arrayContaining([
        `provider.put provider:${providerId}`,
        `provider.status_paused provider:${providerId}`,
        `key.created key:${created.body.keyId}`,
        'policy.put policy:routing',
        `provider.deleted provider:${providerId}`,
        `key.revoked key:${created.body.keyId}`,
      ]),
    );
    for (const entry of mine.body.items)
      expect(entry.actor).toStrictEqual({ keyId: adminKeyId, role: 'admin', ownerId: null });

    // every entry of the window, one page at a time, oldest first
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.call(
        'GET',
        `/v1/audit?from=${from}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { key: admin },
      );
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((entry: { at: string }) => entry.at));
      cursor = page.body.cursor;
    } while (cursor);
    expect(seen).toStrictEqual([...seen].sort());
    expect(seen.length).toBeGreaterThanOrEqual(actions.length);
  });

  it('is for admin only, and refuses a window of more than a year without a ticket or actor', async () => {
    const { sourceKey, providerKeys } = await givenWorld();
    expectClientError(await api.call('GET', '/v1/audit', { key: sourceKey }), 403);
    expectClientError(await api.call('GET', '/v1/audit', { key: providerKeys[0] }), 403);
    expectClientError(await api.call('GET', '/v1/audit?from=2020-01-01T00:00:00Z', { key: admin }));
  });
});
