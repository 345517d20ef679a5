import { readProvider } from '../../shared/use-cases/manage-providers.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler, ownProviderId } from '../lib/http-handler.js';

export const handler = httpHandler('GET /v1/providers/{providerId}', {}, async (request) => ({
  statusCode: 200,
  body: await readProvider(appContext(), ownProviderId(request)),
}));
