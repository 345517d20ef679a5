import { webhookIdSchema } from '../../shared/domain/webhooks.js';
import { readWebhook } from '../../shared/use-cases/manage-webhooks.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler, pathParam } from '../lib/http-handler.js';

export const handler = httpHandler('GET /v1/webhooks/{webhookId}', {}, async (request) => ({
  statusCode: 200,
  body: await readWebhook(appContext(), request.principal, pathParam(request, 'webhookId', webhookIdSchema)),
}));
