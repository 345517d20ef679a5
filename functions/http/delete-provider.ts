import { recordAccess } from '../../shared/use-cases/access-audit.js';
import { revokeKeysOf } from '../../shared/use-cases/issue-api-key.js';
import { removeProvider } from '../../shared/use-cases/manage-providers.js';
import { appContext } from '../lib/app-context.js';
import { accessOf, httpHandler } from '../lib/http-handler.js';

/** 204; the provider's keys are revoked with it, so a provider re-created under this id starts without them. */
export const handler = httpHandler('DELETE /v1/providers/{providerId}', {}, async (request) => {
  const ctx = appContext();
  const providerId = request.params.providerId ?? '';
  await removeProvider(ctx, providerId);
  const revoked = await revokeKeysOf(ctx, { providerId });
  await recordAccess(ctx, accessOf(request), [
    { action: 'provider.deleted', target: `provider:${providerId}` },
    ...revoked.map((keyId) => ({ action: 'key.revoked', target: `key:${keyId}` })),
  ]);
  return { statusCode: 204 };
});
