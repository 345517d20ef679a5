import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Principal, Role } from '../domain/types.js';
import { sha256Hex } from '../lib/hash.js';
import { UnavailableError } from '../lib/errors.js';
import { isConditionFailure } from './dynamo-client.js';
import { API_KEY_LIST_PARTITION, apiKeyIdKey, apiKeyIndexKeys, apiKeyKey, keyOwnerKey } from './keys.js';
import { ReadCache } from './read-cache.js';
import type { Table } from './table.js';

/**
 * Keys in force that this container looked up a moment ago, by item partition (`KEY#<hash>`).
 * Every request is authorized, and at 100 requests/s the lookup was a quarter of the platform's
 * DynamoDB requests. Only keys found are kept (a key issued a moment ago works at once), an
 * end (`validUntil`) is checked at every use, and a write through this module forgets the key —
 * locally every function shares one process, so revocation applies to the next request; in AWS
 * another container may accept a revoked key for up to KEY_CACHE_TTL_MS (README, "Running in AWS").
 */
export const KEY_CACHE_TTL_MS = 2000;
const keysInForce = new ReadCache<StoredKey | undefined>(KEY_CACHE_TTL_MS);

/** A write to a key's item; its kept lookup is forgotten after it, so a lookup that raced it is not kept either. */
async function writingKey<T>(pk: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } finally {
    keysInForce.forget(pk);
  }
}

/** A key as operators see it: never the secret, never its hash. */
export interface ApiKeyRecord {
  keyId: string;
  role: Role;
  ownerId: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

interface StoredKey extends Principal {
  pk: string;
  sk: string;
  keyId: string;
  createdAt: string;
  lastUsedAt?: string;
  /** The instant the key stops working (ISO); DynamoDB's TTL removes the item some time after. */
  validUntil?: string;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** `key_` and 20 base32 characters of a SHA-256 digest: the shape of every key id. */
function keyIdFromDigest(hexDigest: string): string {
  const bytes = Buffer.from(hexDigest, 'hex');
  let id = '';
  for (let index = 0; index < 20; index++) id += BASE32[(bytes[index] ?? 0) % 32];
  return `key_${id}`;
}

/**
 * The public id of a key: derived from the key (so registering the same key
 * twice keeps one id) with its own hash, unlinkable to the stored one.
 */
export function keyIdOf(apiKey: string): string {
  return keyIdFromDigest(sha256Hex(`key-id\u0000${apiKey}`));
}

/**
 * The id given to a key stored before keys had ids, whose raw key is unknown: derived from its
 * stored hash (so every run of the backfill gives the same id), hashed again so the id does not
 * reveal the stored hash.
 */
export function legacyKeyIdOf(keyHash: string): string {
  return keyIdFromDigest(sha256Hex(`legacy-key-id\u0000${keyHash}`));
}

/** Seconds after a key's end before DynamoDB's TTL may delete it (a revoked key is simply gone). */
const TTL_GRACE_SECONDS = 7 * 86_400;
const ttlOf = (validUntil: string) => Math.floor(Date.parse(validUntil) / 1000) + TTL_GRACE_SECONDS;

const recordOf = (item: StoredKey): ApiKeyRecord => ({
  keyId: item.keyId,
  role: item.role,
  ownerId: item.sourceId ?? item.providerId ?? null,
  createdAt: item.createdAt,
  lastUsedAt: item.lastUsedAt ?? null,
  expiresAt: item.validUntil ?? null,
});

/**
 * Keys are stored only as SHA-256 hashes: the table never holds a usable
 * secret. Storing the same key again changes nothing (idempotent bootstrap).
 */
export async function storeApiKey(
  table: Table,
  apiKey: string,
  principal: Principal,
  now: string,
  validUntil?: string,
): Promise<ApiKeyRecord> {
  const keyId = keyIdOf(apiKey);
  const item = {
    ...apiKeyKey(sha256Hex(apiKey)),
    ...apiKeyIndexKeys(keyId),
    entity: 'apiKey',
    keyId,
    role: principal.role,
    sourceId: principal.sourceId,
    providerId: principal.providerId,
    createdAt: now,
    ...(validUntil ? { validUntil, expiresAt: ttlOf(validUntil) } : {}),
  };
  try {
    // Pointer and owner entry first: a crash after them leaves a pointer to nothing, never a key unfound.
    await indexKeyInTable(table, item as StoredKey);
    await writingKey(item.pk, () =>
      table.db.send(
        new PutCommand({
          TableName: table.name,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    return recordOf(item as StoredKey);
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    // Stored already: it keeps the id it has (from its first store, or from the backfill).
    const stored = await idOfStoredKey(table, item as StoredKey);
    // The pointer and owner entry written above name an id the key does not have: take them back.
    if (stored.keyId !== keyId) await unindexKeyInTable(table, keyId, ownerOf(principal));
    return recordOf(stored);
  }
}

/** The key as stored, given `candidate`'s id if it has none yet (a key stored before keys had ids). */
async function idOfStoredKey(table: Table, candidate: StoredKey): Promise<StoredKey> {
  const stored = (await readStoredKey(table, candidate)) ?? candidate;
  if (stored.keyId) return stored;
  if (await claimKeyId(table, candidate, candidate.keyId)) return { ...stored, keyId: candidate.keyId };
  // The backfill gave it one in between.
  return (await readStoredKey(table, candidate)) ?? candidate;
}

async function readStoredKey(table: Table, key: { pk: string; sk: string }): Promise<StoredKey | undefined> {
  const result = await table.db.send(
    new GetCommand({ TableName: table.name, Key: { pk: key.pk, sk: key.sk }, ConsistentRead: true }),
  );
  return result.Item as StoredKey | undefined;
}

/**
 * Gives a key without an id this one, with its listing index keys. False when the key has an id
 * already (it keeps it) or is gone.
 */
async function claimKeyId(table: Table, key: { pk: string; sk: string }, keyId: string): Promise<boolean> {
  try {
    await writingKey(key.pk, () =>
      table.db.send(
        new UpdateCommand({
          TableName: table.name,
          Key: { pk: key.pk, sk: key.sk },
          UpdateExpression: 'SET keyId = :keyId, gsi3pk = :list, gsi3sk = :keyId',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(keyId)',
          ExpressionAttributeValues: { ':keyId': keyId, ':list': apiKeyIndexKeys(keyId).gsi3pk },
        }),
      ),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

const ownerOf = (principal: Principal): string | undefined => principal.providerId ?? principal.sourceId;

/**
 * The base-table entries that find a key without the (eventually consistent) listing index: its id's
 * pointer, and its id in its owner's set.
 */
async function indexKeyInTable(table: Table, key: StoredKey): Promise<void> {
  await table.db.send(
    new PutCommand({
      TableName: table.name,
      Item: { ...apiKeyIdKey(key.keyId), entity: 'apiKeyId', keyPk: key.pk, keySk: key.sk },
    }),
  );
  const ownerId = ownerOf(key);
  if (ownerId)
    await table.db.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keyOwnerKey(ownerId),
        UpdateExpression: 'ADD keyIds :ids',
        ExpressionAttributeValues: { ':ids': new Set([key.keyId]) },
      }),
    );
}

/** Takes back what indexKeyInTable wrote for an id a key did not get. */
async function unindexKeyInTable(table: Table, keyId: string, ownerId: string | undefined): Promise<void> {
  await table.db.send(new DeleteCommand({ TableName: table.name, Key: apiKeyIdKey(keyId) }));
  if (ownerId)
    await table.db.send(
      new UpdateCommand({
        TableName: table.name,
        Key: keyOwnerKey(ownerId),
        UpdateExpression: 'DELETE keyIds :ids',
        ExpressionAttributeValues: { ':ids': new Set([keyId]) },
      }),
    );
}

export interface KeyIdBackfillPage {
  /** The ids given on this page. */
  assigned: string[];
  /** Where the next page starts; none when the table is done. */
  nextKey?: Record<string, unknown>;
}

/**
 * One page of a scan of the table: each key on it without an id (stored before keys had ids) gets
 * one derived from its stored hash, with the entries a new key gets (pointer, owner set, listing
 * index). A key that got its id meanwhile keeps it; running a page again changes nothing.
 */
export async function backfillKeyIdsPage(
  table: Table,
  startKey?: Record<string, unknown>,
  pageSize?: number,
): Promise<KeyIdBackfillPage> {
  const page = await table.db.send(
    new ScanCommand({
      TableName: table.name,
      FilterExpression: 'entity = :apiKey AND attribute_not_exists(keyId)',
      ExpressionAttributeValues: { ':apiKey': 'apiKey' },
      ExclusiveStartKey: startKey,
      // Items read, before the filter (default: up to 1 MB of them).
      Limit: pageSize,
    }),
  );
  const assigned: string[] = [];
  for (const item of (page.Items ?? []) as StoredKey[]) {
    const keyId = await assignLegacyKeyId(table, item);
    if (keyId) assigned.push(keyId);
  }
  return { assigned, nextKey: page.LastEvaluatedKey };
}

/** `KEY#`: a key item's partition is this and the key's stored hash. */
const KEY_PARTITION_PREFIX = apiKeyKey('').pk;

async function assignLegacyKeyId(table: Table, key: StoredKey): Promise<string | undefined> {
  const storedHash = key.pk.slice(KEY_PARTITION_PREFIX.length);
  const keyId = legacyKeyIdOf(storedHash);
  // Pointer and owner entry first, as storeApiKey does: a crash after them leaves a pointer to a
  // key without an id, which the page's next run completes.
  await indexKeyInTable(table, { ...key, keyId });
  if (await claimKeyId(table, key, keyId)) return keyId;
  // Given an id at its first use in the meantime (it keeps that one), or deleted.
  const stored = await readStoredKey(table, key);
  if (stored?.keyId !== keyId) await unindexKeyInTable(table, keyId, ownerOf(key));
  return undefined;
}

export interface KeyLookup {
  principal: Principal;
  keyId: string;
  /** When the key was last seen in use (recorded at most once a minute). */
  lastUsedAt?: string;
}

/** The principal of a key still in force at `now`; an unknown, revoked or expired key has none. */
export async function findPrincipal(
  table: Table,
  apiKey: string,
  now: string,
): Promise<KeyLookup | undefined> {
  const key = apiKeyKey(sha256Hex(apiKey));
  // Consistent: a key issued a moment ago works at once, a revoked one stops at once.
  const item = await keysInForce.get(key.pk, async () => {
    const result = await table.db.send(
      new GetCommand({ TableName: table.name, Key: key, ConsistentRead: true }),
    );
    return result.Item as StoredKey | undefined;
  });
  if (!item) {
    keysInForce.forget(key.pk);
    return undefined;
  }
  if (item.validUntil && item.validUntil <= now) return undefined;
  const { role, sourceId, providerId } = item;
  return {
    principal: { role, sourceId, providerId },
    keyId: item.keyId ?? keyIdOf(apiKey),
    lastUsedAt: item.lastUsedAt,
  };
}

/** Records that a key was used, unless it was recorded less than `minimumSeconds` ago. */
export async function touchApiKey(table: Table, apiKey: string, now: string, minimumSeconds = 60) {
  const cutoff = new Date(Date.parse(now) - minimumSeconds * 1000).toISOString();
  const key = apiKeyKey(sha256Hex(apiKey));
  try {
    // Forgotten after, too: the next lookup reads the new lastUsedAt (else every request within the
    // cache time would touch).
    await writingKey(key.pk, () =>
      table.db.send(
        new UpdateCommand({
          TableName: table.name,
          Key: key,
          UpdateExpression: 'SET lastUsedAt = :now',
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :cutoff)',
          ExpressionAttributeValues: { ':now': now, ':cutoff': cutoff },
        }),
      ),
    );
  } catch (error) {
    // Best effort: a busy key item (conflict, throttle) must not refuse the caller.
    if (!isConditionFailure(error) && !(error instanceof UnavailableError)) throw error;
  }
}

/** Pages a listing may read: 10 pages of up to 1 MB are tens of thousands of keys. */
const MAX_LIST_PAGES = 10;

/** Every key, by key id, optionally of one role and owner. */
export async function listApiKeys(
  table: Table,
  filter: { role?: Role; ownerId?: string } = {},
): Promise<ApiKeyRecord[]> {
  const keys: ApiKeyRecord[] = [];
  let startKey: Record<string, unknown> | undefined;
  let pages = 0;
  do {
    const page = await table.db.send(
      new QueryCommand({
        TableName: table.name,
        IndexName: 'by-status',
        KeyConditionExpression: 'gsi3pk = :keys',
        ExpressionAttributeValues: { ':keys': API_KEY_LIST_PARTITION },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of (page.Items ?? []) as StoredKey[]) {
      const record = recordOf(item);
      if (filter.role && record.role !== filter.role) continue;
      if (filter.ownerId && record.ownerId !== filter.ownerId) continue;
      keys.push(record);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey && ++pages < MAX_LIST_PAGES);
  if (filter.ownerId) {
    // One owner's keys: its set is read consistently, so a key issued a moment ago is listed too.
    const listed = new Set(keys.map((key) => key.keyId));
    for (const keyId of await keyIdsOfOwner(table, filter.ownerId)) {
      if (listed.has(keyId)) continue;
      const item = await storedKeyById(table, keyId);
      if (item && (!filter.role || item.role === filter.role)) keys.push(recordOf(item));
    }
    keys.sort((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0));
  }
  return keys;
}

/** A key by id: through its base-table pointer (consistent), else (keys stored before pointers) the index. */
async function storedKeyById(table: Table, keyId: string): Promise<StoredKey | undefined> {
  const pointer = await table.db.send(
    new GetCommand({ TableName: table.name, Key: apiKeyIdKey(keyId), ConsistentRead: true }),
  );
  if (pointer.Item) {
    const stored = await table.db.send(
      new GetCommand({
        TableName: table.name,
        Key: { pk: pointer.Item.keyPk, sk: pointer.Item.keySk },
        ConsistentRead: true,
      }),
    );
    return stored.Item as StoredKey | undefined;
  }
  const page = await table.db.send(
    new QueryCommand({
      TableName: table.name,
      IndexName: 'by-status',
      KeyConditionExpression: 'gsi3pk = :keys AND gsi3sk = :keyId',
      ExpressionAttributeValues: { ':keys': API_KEY_LIST_PARTITION, ':keyId': keyId },
    }),
  );
  return page.Items?.[0] as StoredKey | undefined;
}

export async function getApiKey(
  table: Table,
  keyId: string,
): Promise<(ApiKeyRecord & { principal: Principal }) | undefined> {
  const item = await storedKeyById(table, keyId);
  if (!item) return undefined;
  return {
    ...recordOf(item),
    principal: { role: item.role, sourceId: item.sourceId, providerId: item.providerId },
  };
}

/** Deletes a key: it stops working at once (API Gateway may still answer from its authorizer cache). */
export async function deleteApiKey(table: Table, keyId: string): Promise<boolean> {
  const item = await storedKeyById(table, keyId);
  if (!item) return false;
  try {
    // On condition: a key deleted a moment ago (and still listed by a lagging index) is not deleted twice.
    await writingKey(item.pk, () =>
      table.db.send(
        new DeleteCommand({
          TableName: table.name,
          Key: { pk: item.pk, sk: item.sk },
          ConditionExpression: 'attribute_exists(pk)',
        }),
      ),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return false;
  }
  await table.db.send(new DeleteCommand({ TableName: table.name, Key: apiKeyIdKey(keyId) }));
  return true;
}

/** The ids of an owner's keys, read consistently (keys issued since the owner set exists). */
export async function keyIdsOfOwner(table: Table, ownerId: string): Promise<string[]> {
  const result = await table.db.send(
    new GetCommand({ TableName: table.name, Key: keyOwnerKey(ownerId), ConsistentRead: true }),
  );
  return [...((result.Item?.keyIds as Set<string> | undefined) ?? [])];
}

/** Brings a key's end forward to `validUntil` (never later than an end it already has). */
export async function shortenApiKey(table: Table, keyId: string, validUntil: string): Promise<string | null> {
  const item = await storedKeyById(table, keyId);
  if (!item) return null;
  const until = item.validUntil && item.validUntil < validUntil ? item.validUntil : validUntil;
  try {
    await writingKey(item.pk, () =>
      table.db.send(
        new UpdateCommand({
          TableName: table.name,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: 'SET validUntil = :until, expiresAt = :ttl',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':until': until, ':ttl': ttlOf(until) },
        }),
      ),
    );
  } catch (error) {
    if (isConditionFailure(error)) return null;
    throw error;
  }
  return until;
}
