import { webhookIdSchema } from '../../shared/domain/webhooks.js';
import { pingWebhook } from '../../shared/use-cases/manage-webhooks.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler, pathParam } from '../lib/http-handler.js';
import { webhookSender } from '../lib/webhooks.js';

/** Sends a signed `ping` now and answers the attempt: status, latency, error. */
export const handler = httpHandler('POST /v1/webhooks/{webhookId}/test', {}, async (request) => ({
  statusCode: 200,
  body: await pingWebhook(
    appContext(),
    request.principal,
    pathParam(request, 'webhookId', webhookIdSchema),
    webhookSender(),
  ),
}));
