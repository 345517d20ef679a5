import { appContext } from '../../functions/lib/app-context.js';
import { randomToken } from '../../shared/lib/hash.js';
import { storeApiKey } from '../../shared/store/api-key-store.js';

/** Registers the given admin key (idempotent: same key, same hash) or a new one, which is returned. */
export async function registerAdminKey(given: string | undefined): Promise<string> {
  const apiKey = given ?? `ora_${randomToken(24)}`;
  await storeApiKey(appContext().table, apiKey, { role: 'admin' }, new Date().toISOString());
  return apiKey;
}
