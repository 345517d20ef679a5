import { randomToken } from '../../shared/lib/hash.js';
import { storeApiKey } from '../../shared/store/api-key-store.js';

/** Registers the given admin key (idempotent: same key, same hash) or a new one, which is returned. */
export async function registerAdminKey(given: string | undefined): Promise<string> {
  const apiKey = given ?? `ora_${randomToken(24)}`;
  // Imported only now, after the runtime has set the functions' environment: the handlers'
  // context loads the tracer, which reads it once (AWS_XRAY_MANUAL_MODE, POWERTOOLS_TRACE_ENABLED).
  const { appContext } = await import('../../functions/lib/app-context.js');
  await storeApiKey(appContext().table, apiKey, { role: 'admin' }, new Date().toISOString());
  return apiKey;
}
