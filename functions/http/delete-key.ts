import { recordAccess } from '../../shared/use-cases/access-audit.js';
import { revokeApiKey } from '../../shared/use-cases/issue-api-key.js';
import { appContext } from '../lib/app-context.js';
import { accessOf, httpHandler } from '../lib/http-handler.js';

/** 204: the key stops working (at once here; API Gateway's authorizer cache may keep it a few minutes more). */
export const handler = httpHandler('DELETE /v1/keys/{keyId}', {}, async (request) => {
  const ctx = appContext();
  const keyId = request.params.keyId ?? '';
  await revokeApiKey(ctx, keyId);
  await recordAccess(ctx, accessOf(request), [{ action: 'key.revoked', target: `key:${keyId}` }]);
  return { statusCode: 204 };
});
