import { rotateKeySchema } from '../../shared/domain/access-schemas.js';
import { recordAccess } from '../../shared/use-cases/access-audit.js';
import { rotateApiKey } from '../../shared/use-cases/issue-api-key.js';
import { appContext } from '../lib/app-context.js';
import { accessOf, httpHandler } from '../lib/http-handler.js';

/** 201 with the new key (shown once); the old one keeps working for graceSeconds, then expires. */
export const handler = httpHandler(
  'POST /v1/keys/{keyId}/rotate',
  { body: rotateKeySchema },
  async (request) => {
    const ctx = appContext();
    const keyId = request.params.keyId ?? '';
    const rotated = await rotateApiKey(ctx, keyId, request.body);
    await recordAccess(ctx, accessOf(request), [
      { action: 'key.rotated', target: `key:${keyId}` },
      { action: 'key.created', target: `key:${rotated.keyId}` },
    ]);
    return { statusCode: 201, body: rotated };
  },
);
