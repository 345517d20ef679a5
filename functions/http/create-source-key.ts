import { sourceIdSchema } from '../../shared/domain/schemas.js';
import { issueApiKey } from '../../shared/use-cases/issue-api-key.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler, pathParam } from '../lib/http-handler.js';

export const handler = httpHandler('POST /v1/sources/{sourceId}/keys', {}, async (request) => {
  const sourceId = pathParam(request, 'sourceId', sourceIdSchema);
  return { statusCode: 201, body: { apiKey: await issueApiKey(appContext(), { role: 'source', sourceId }) } };
});
