import { providerIdSchema } from '../../shared/domain/schemas.js';
import { issueApiKey } from '../../shared/use-cases/issue-api-key.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler, pathParam } from '../lib/http-handler.js';

export const handler = httpHandler('POST /v1/providers/{providerId}/keys', {}, async (request) => {
  const providerId = pathParam(request, 'providerId', providerIdSchema);
  return {
    statusCode: 201,
    body: { apiKey: await issueApiKey(appContext(), { role: 'provider', providerId }) },
  };
});
