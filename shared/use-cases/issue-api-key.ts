// API keys: issue (optionally expiring), list, revoke, rotate. Keys are
// shown once and stored only as hashes; revoking one takes effect at the
// next request here (API Gateway may answer from its authorizer cache for a
// few minutes more in AWS).
import type { Role } from '../domain/types.js';
import type { Principal } from '../domain/types.js';
import { AppError, notFound } from '../lib/errors.js';
import { randomToken } from '../lib/hash.js';
import {
  type ApiKeyRecord,
  deleteApiKey,
  getApiKey,
  keyIdsOfOwner,
  listApiKeys,
  shortenApiKey,
  storeApiKey,
} from '../store/api-key-store.js';
import { getProvider } from '../store/provider-store.js';
import { type AppContext, isoNow } from './context.js';

const KEY_PREFIX: Record<Principal['role'], string> = { admin: 'ora', source: 'ors', provider: 'orp' };

export interface IssuedKey {
  keyId: string;
  /** The secret, shown this once. */
  apiKey: string;
  expiresAt: string | null;
}

const instant = (iso: string) => new Date(iso).toISOString();

/** A new key, returned once; only its hash is stored. An `expiresAt` must lie in the future. */
export async function issueApiKey(
  ctx: AppContext,
  principal: Principal,
  options: { expiresAt?: string } = {},
): Promise<IssuedKey> {
  const expiresAt = options.expiresAt ? instant(options.expiresAt) : undefined;
  if (expiresAt && Date.parse(expiresAt) <= ctx.now()) {
    throw new AppError('validation_error', 'expiresAt is not in the future', [
      { path: 'expiresAt', message: 'must be in the future' },
    ]);
  }
  if (principal.role === 'provider' && !(await getProvider(ctx.table, principal.providerId ?? ''))) {
    throw notFound('provider');
  }
  const apiKey = `${KEY_PREFIX[principal.role]}_${randomToken(24)}`;
  const record = await storeApiKey(ctx.table, apiKey, principal, isoNow(ctx), expiresAt);
  return { keyId: record.keyId, apiKey, expiresAt: record.expiresAt };
}

export async function readApiKeys(ctx: AppContext, filter: { role?: Role; ownerId?: string }) {
  return { items: await listApiKeys(ctx.table, filter) };
}

export async function revokeApiKey(ctx: AppContext, keyId: string): Promise<void> {
  if (!(await deleteApiKey(ctx.table, keyId))) throw notFound('key');
}

/** Deleting a provider revokes every key bound to it, so a provider re-created under its id starts clean. */
export async function revokeKeysOf(ctx: AppContext, owner: { providerId: string }): Promise<string[]> {
  // The owner's set is read consistently (a key issued a moment ago is in it); the index adds older keys.
  const listed = await listApiKeys(ctx.table, { role: 'provider', ownerId: owner.providerId });
  const ids = new Set([
    ...(await keyIdsOfOwner(ctx.table, owner.providerId)),
    ...listed.map((key) => key.keyId),
  ]);
  const revoked: string[] = [];
  for (const keyId of ids) if (await deleteApiKey(ctx.table, keyId)) revoked.push(keyId);
  return revoked;
}

/**
 * Rotation: a new key for the same role and owner; the old one keeps working
 * until `now + graceSeconds` (or its own earlier end), then stops.
 */
export async function rotateApiKey(
  ctx: AppContext,
  keyId: string,
  options: { graceSeconds: number; expiresAt?: string },
): Promise<IssuedKey & { previous: Pick<ApiKeyRecord, 'keyId' | 'expiresAt'> }> {
  const old = await getApiKey(ctx.table, keyId);
  if (!old) throw notFound('key');
  const issued = await issueApiKey(ctx, old.principal, { expiresAt: options.expiresAt });
  const until = new Date(ctx.now() + options.graceSeconds * 1000).toISOString();
  const previousEnd = await shortenApiKey(ctx.table, keyId, until);
  return { ...issued, previous: { keyId, expiresAt: previousEnd } };
}
