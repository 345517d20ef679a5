import { listKeysQuerySchema } from '../../shared/domain/access-schemas.js';
import { readApiKeys } from '../../shared/use-cases/issue-api-key.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler } from '../lib/http-handler.js';

/** Every key's id, role, owner and dates; never a secret. */
export const handler = httpHandler('GET /v1/keys', { query: listKeysQuerySchema }, async (request) => ({
  statusCode: 200,
  body: await readApiKeys(appContext(), request.query),
}));
