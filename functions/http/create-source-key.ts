import { createKeySchema } from '../../shared/domain/access-schemas.js';
import { sourceIdSchema } from '../../shared/domain/schemas.js';
import { recordAccess } from '../../shared/use-cases/access-audit.js';
import { issueApiKey } from '../../shared/use-cases/issue-api-key.js';
import { appContext } from '../lib/app-context.js';
import { accessOf, httpHandler, pathParam } from '../lib/http-handler.js';

/** 201 {keyId, apiKey, expiresAt}: the secret is shown this once. */
export const handler = httpHandler(
  'POST /v1/sources/{sourceId}/keys',
  { body: createKeySchema },
  async (request) => {
    const ctx = appContext();
    const sourceId = pathParam(request, 'sourceId', sourceIdSchema);
    const issued = await issueApiKey(ctx, { role: 'source', sourceId }, request.body);
    await recordAccess(ctx, accessOf(request), [{ action: 'key.created', target: `key:${issued.keyId}` }]);
    return { statusCode: 201, body: issued };
  },
);
