import { listWebhooks } from '../../shared/use-cases/manage-webhooks.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler } from '../lib/http-handler.js';

export const handler = httpHandler('GET /v1/webhooks', {}, async (request) => ({
  statusCode: 200,
  body: { items: await listWebhooks(appContext(), request.principal) },
}));
