// Issue 11's last gap: a key stored before keys had ids (no `keyId`) gets one
// from the backfill, without its raw key, and can then be listed and revoked
// by it. A key that got its id at first use keeps it; running again changes
// nothing; the once-a-table runner resumes where it stopped, runs at local
// start and in the sweeper.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ScheduledEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as sweepHandler } from '../../functions/schedule/sweep.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { migrateLocalData } from '../../infra/local/migrate-layout.js';
import type { Principal } from '../../shared/domain/types.js';
import { randomToken, sha256Hex } from '../../shared/lib/hash.js';
import {
  backfillKeyIdsPage,
  findPrincipal,
  getApiKey,
  keyIdOf,
  keyIdsOfOwner,
  legacyKeyIdOf,
  storeApiKey,
} from '../../shared/store/api-key-store.js';
import { apiKeyIdKey, apiKeyKey, keyOwnerKey } from '../../shared/store/keys.js';
import { backfillKeyIdsOnce } from '../../shared/use-cases/backfill-key-ids.js';
import { indexesSettled, testContext } from '../fixtures/context.js';
import { providerInput, uniqueId } from '../fixtures/entities.js';
import { givenKey, startTestApi, type TestApi } from '../fixtures/http.js';

const ctx = testContext();
const MARKER = { pk: 'CONFIG#keyIdBackfill', sk: 'CONFIG' };
let api: TestApi;
let admin: string;

beforeAll(async () => {
  api = await startTestApi();
  ({ apiKey: admin } = await givenKey(ctx, { role: 'admin' }));
});
afterAll(async () => {
  await api.stop();
});

/** A key written as before keys had ids (and as the README's first admin key is put by hand): no keyId. */
async function givenLegacyKey(principal: Principal) {
  const apiKey = `or${principal.role[0]}_${randomToken(24)}`;
  const keyHash = sha256Hex(apiKey);
  await ctx.table.db.send(
    new PutCommand({
      TableName: ctx.table.name,
      Item: {
        ...apiKeyKey(keyHash),
        entity: 'apiKey',
        ...principal,
        createdAt: '2025-01-01T00:00:00.000Z',
      },
    }),
  );
  return { apiKey, keyHash };
}

async function givenProvider(): Promise<string> {
  const providerId = uniqueId('bpo');
  const put = await api.call('PUT', `/v1/providers/${providerId}`, {
    key: admin,
    body: { ...providerInput({ timeZone: 'UTC' }), businessHours: undefined },
  });
  expect(put.status).toBe(200);
  return providerId;
}

/** The whole table, page after page: the backfill without the once-a-table marker. */
async function backfillAll(): Promise<string[]> {
  const assigned: string[] = [];
  let nextKey: Record<string, unknown> | undefined;
  do {
    const page = await backfillKeyIdsPage(ctx.table, nextKey);
    assigned.push(...page.assigned);
    nextKey = page.nextKey;
  } while (nextKey);
  return assigned;
}

async function readItem(key: { pk: string; sk: string }) {
  const result = await ctx.table.db.send(
    new GetCommand({ TableName: ctx.table.name, Key: key, ConsistentRead: true }),
  );
  return result.Item;
}

/** What the backfill may write for a key: the key item, its id's pointer, its owner's set. */
async function entriesOf(keyHash: string, keyId: string, ownerId: string) {
  return {
    key: await readItem(apiKeyKey(keyHash)),
    pointer: await readItem(apiKeyIdKey(keyId)),
    owner: await readItem(keyOwnerKey(ownerId)),
  };
}

const listedIds = async (query: string): Promise<string[]> => {
  await indexesSettled(); // the key listing is an index
  const listed = await api.call('GET', `/v1/keys?${query}`, { key: admin });
  expect(listed.status).toBe(200);
  return listed.body.items.map((item: { keyId: string }) => item.keyId);
};

describe('the key-id backfill', () => {
  it('gives a key stored without an id one: listed by it, revoked by it, and its raw key then gets 401', async () => {
    const providerId = await givenProvider();
    const { apiKey, keyHash } = await givenLegacyKey({ role: 'provider', providerId });
    expect((await api.call('GET', `/v1/providers/${providerId}`, { key: apiKey })).status).toBe(200);
    expect(await listedIds(`role=provider&ownerId=${providerId}`)).toStrictEqual([]);

    const keyId = legacyKeyIdOf(keyHash);
    expect(await backfillAll()).toContain(keyId);
    expect(keyId).toMatch(/^key_[a-z2-7]{20}$/);
    expect(keyId).not.toBe(keyIdOf(apiKey));
    expect(keyId).not.toContain(keyHash.slice(0, 8));

    const listed = await api.call('GET', `/v1/keys?role=provider&ownerId=${providerId}`, { key: admin });
    expect(listed.body.items).toStrictEqual([
      {
        keyId,
        role: 'provider',
        ownerId: providerId,
        createdAt: '2025-01-01T00:00:00.000Z',
        lastUsedAt: expect.any(String),
        expiresAt: null,
      },
    ]);
    expect(await listedIds('role=provider')).toContain(keyId);
    // The authorizer now names the key by its backfilled id.
    expect((await findPrincipal(ctx.table, apiKey, new Date().toISOString()))?.keyId).toBe(keyId);

    expect((await api.call('DELETE', `/v1/keys/${keyId}`, { key: admin })).status).toBe(204);
    const refused = await api.call('GET', `/v1/providers/${providerId}`, { key: apiKey });
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('unauthenticated');
    expect((await api.call('DELETE', `/v1/keys/${keyId}`, { key: admin })).status).toBe(404);
  });

  it('leaves a key that got its id at first use with that id, and writes nothing for it', async () => {
    const sourceId = uniqueId('crm');
    const { apiKey, keyHash } = await givenLegacyKey({ role: 'source', sourceId });
    // Registered again with its raw key (npm start's bootstrap admin key): it gets the id keyIdOf gives.
    const firstUse = await storeApiKey(
      ctx.table,
      apiKey,
      { role: 'source', sourceId },
      new Date().toISOString(),
    );
    expect(firstUse.keyId).toBe(keyIdOf(apiKey));
    const before = await entriesOf(keyHash, firstUse.keyId, sourceId);

    expect(await backfillAll()).not.toContain(legacyKeyIdOf(keyHash));

    expect(await entriesOf(keyHash, firstUse.keyId, sourceId)).toStrictEqual(before);
    expect(await readItem(apiKeyIdKey(legacyKeyIdOf(keyHash)))).toBeUndefined();
    expect(await keyIdsOfOwner(ctx.table, sourceId)).toStrictEqual([firstUse.keyId]);
  });

  it('keeps a backfilled id when the key is registered again with its raw key', async () => {
    const sourceId = uniqueId('crm');
    const { apiKey, keyHash } = await givenLegacyKey({ role: 'source', sourceId });
    await backfillAll();
    const keyId = legacyKeyIdOf(keyHash);

    const again = await storeApiKey(
      ctx.table,
      apiKey,
      { role: 'source', sourceId },
      new Date().toISOString(),
    );

    expect(again.keyId).toBe(keyId);
    expect((await findPrincipal(ctx.table, apiKey, new Date().toISOString()))?.keyId).toBe(keyId);
    // What storeApiKey wrote first for the id it derives is taken back: one id, one pointer.
    expect(await getApiKey(ctx.table, keyIdOf(apiKey))).toBeUndefined();
    expect(await keyIdsOfOwner(ctx.table, sourceId)).toStrictEqual([keyId]);
    expect((await getApiKey(ctx.table, keyId))?.keyId).toBe(keyId);
  });

  it('is idempotent: a second run gives no id and changes no entry', async () => {
    const sourceId = uniqueId('crm');
    const { keyHash } = await givenLegacyKey({ role: 'source', sourceId });
    const keyId = legacyKeyIdOf(keyHash);
    expect(await backfillAll()).toContain(keyId);
    const after = await entriesOf(keyHash, keyId, sourceId);
    expect(after.key).toMatchObject({ keyId, gsi3pk: 'KEYS', gsi3sk: keyId });
    expect(after.pointer).toMatchObject({ keyPk: apiKeyKey(keyHash).pk, keySk: 'KEY' });
    expect(after.owner?.keyIds).toStrictEqual(new Set([keyId]));

    expect(await backfillAll()).toStrictEqual([]);

    expect(await entriesOf(keyHash, keyId, sourceId)).toStrictEqual(after);
  });
});

describe('the once-a-table runner', () => {
  it('runs at local start, then only reads its marker; the sweeper runs it again when the marker is removed', async () => {
    const dynamo = new DynamoDBClient({});
    const first = await givenLegacyKey({ role: 'admin' });
    await migrateLocalData(dynamo, ctx.table.name);
    dynamo.destroy();
    expect((await getApiKey(ctx.table, legacyKeyIdOf(first.keyHash)))?.role).toBe('admin');
    expect(await readItem(MARKER)).toMatchObject({ done: true });

    // Done: a key put by hand since is not looked for.
    const later = await givenLegacyKey({ role: 'admin' });
    expect(await backfillKeyIdsOnce(ctx.table)).toStrictEqual({ done: true, assigned: [] });
    expect(await getApiKey(ctx.table, legacyKeyIdOf(later.keyHash))).toBeUndefined();

    await ctx.table.db.send(new DeleteCommand({ TableName: ctx.table.name, Key: MARKER }));
    await sweepHandler({} as ScheduledEvent, lambdaContext('sweep', 60));
    expect((await getApiKey(ctx.table, legacyKeyIdOf(later.keyHash)))?.role).toBe('admin');
    expect(await readItem(MARKER)).toMatchObject({ done: true });
  });

  it('stops when its time budget is spent and goes on from the next page at the next run', async () => {
    await ctx.table.db.send(new DeleteCommand({ TableName: ctx.table.name, Key: MARKER }));
    const keys = [
      await givenLegacyKey({ role: 'admin' }),
      await givenLegacyKey({ role: 'admin' }),
      await givenLegacyKey({ role: 'admin' }),
    ];
    const assigned: string[] = [];
    let runs = 0;
    for (let done = false; !done; runs++) {
      const report = await backfillKeyIdsOnce(ctx.table, { budgetMs: 0, pageSize: 2 });
      assigned.push(...report.assigned);
      done = report.done;
      if (!done) expect(await readItem(MARKER)).toMatchObject({ done: false, nextKey: expect.any(Object) });
    }
    expect(runs).toBeGreaterThan(2);
    expect(assigned.sort()).toStrictEqual(keys.map((key) => legacyKeyIdOf(key.keyHash)).sort());
  });
});
