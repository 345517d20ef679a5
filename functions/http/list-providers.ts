import { readProviders } from '../../shared/use-cases/manage-providers.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler } from '../lib/http-handler.js';

export const handler = httpHandler('GET /v1/providers', {}, async () => ({
  statusCode: 200,
  body: { items: await readProviders(appContext()) },
}));
