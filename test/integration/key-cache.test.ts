// The authorizer's key lookup is kept for KEY_CACHE_TTL_MS per container: a
// key in use is read once per window, not per request, yet revoking or
// shortening it through the store applies to the very next lookup in this
// process (locally every function shares one), a new key works at once (no
// negative answer is kept), and an end is checked at every use.
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { randomToken, sha256Hex } from '../../shared/lib/hash.js';
import {
  deleteApiKey,
  findPrincipal,
  KEY_CACHE_TTL_MS,
  keyIdOf,
  shortenApiKey,
  storeApiKey,
} from '../../shared/store/api-key-store.js';
import { apiKeyKey } from '../../shared/store/keys.js';
import { testContext } from '../fixtures/context.js';
import { uniqueId } from '../fixtures/entities.js';

const ctx = testContext();
const now = () => new Date().toISOString();

async function givenSourceKey() {
  const apiKey = `ors_${randomToken(24)}`;
  await storeApiKey(ctx.table, apiKey, { role: 'source', sourceId: uniqueId('src') }, now());
  return apiKey;
}

describe('key lookups kept for a moment', () => {
  afterEach(() => vi.useRealTimers());

  it('answers from the kept lookup within the window and reads again after it', async () => {
    const apiKey = await givenSourceKey();
    expect(await findPrincipal(ctx.table, apiKey, now())).toBeDefined();
    // Gone behind the store's back (as another container's revocation is, in AWS):
    await ctx.table.db.send(
      new DeleteCommand({ TableName: ctx.table.name, Key: apiKeyKey(sha256Hex(apiKey)) }),
    );
    expect(await findPrincipal(ctx.table, apiKey, now())).toBeDefined();
    vi.useFakeTimers({ now: Date.now() + KEY_CACHE_TTL_MS + 1, toFake: ['Date'] });
    expect(await findPrincipal(ctx.table, apiKey, now())).toBeUndefined();
  });

  it('forgets a key revoked or shortened through the store at once', async () => {
    const revoked = await givenSourceKey();
    expect(await findPrincipal(ctx.table, revoked, now())).toBeDefined();
    expect(await deleteApiKey(ctx.table, keyIdOf(revoked))).toBe(true);
    expect(await findPrincipal(ctx.table, revoked, now())).toBeUndefined();

    const shortened = await givenSourceKey();
    expect(await findPrincipal(ctx.table, shortened, now())).toBeDefined();
    await shortenApiKey(ctx.table, keyIdOf(shortened), new Date(Date.now() + 60_000).toISOString());
    const lookup = await findPrincipal(ctx.table, shortened, now());
    expect(lookup).toBeDefined();
    // The end it now has is checked at every use, kept lookup or not.
    expect(
      await findPrincipal(ctx.table, shortened, new Date(Date.now() + 61_000).toISOString()),
    ).toBeUndefined();
  });

  it('keeps no answer for an unknown key: a key issued a moment later works at once', async () => {
    const apiKey = `ors_${randomToken(24)}`;
    expect(await findPrincipal(ctx.table, apiKey, now())).toBeUndefined();
    await storeApiKey(ctx.table, apiKey, { role: 'source', sourceId: uniqueId('src') }, now());
    expect(await findPrincipal(ctx.table, apiKey, now())).toBeDefined();
  });
});
