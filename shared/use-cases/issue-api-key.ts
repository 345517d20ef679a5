import type { Principal } from '../domain/types.js';
import { notFound } from '../lib/errors.js';
import { randomToken } from '../lib/hash.js';
import { storeApiKey } from '../store/api-key-store.js';
import { getProvider } from '../store/provider-store.js';
import { type AppContext, isoNow } from './context.js';

const KEY_PREFIX: Record<Principal['role'], string> = { admin: 'ora', source: 'ors', provider: 'orp' };

/** A new key, returned once; only its hash is stored. */
export async function issueApiKey(ctx: AppContext, principal: Principal): Promise<string> {
  if (principal.role === 'provider' && !(await getProvider(ctx.table, principal.providerId ?? ''))) {
    throw notFound('provider');
  }
  const apiKey = `${KEY_PREFIX[principal.role]}_${randomToken(24)}`;
  await storeApiKey(ctx.table, apiKey, principal, isoNow(ctx));
  return apiKey;
}
