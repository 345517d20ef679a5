import { getPolicy } from '../../shared/store/config-store.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler } from '../lib/http-handler.js';

export const handler = httpHandler('GET /v1/routing-policy', {}, async () => ({
  statusCode: 200,
  body: await getPolicy(appContext().table, 'routing'),
}));
