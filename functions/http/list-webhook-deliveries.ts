import { webhookIdSchema } from '../../shared/domain/webhooks.js';
import { webhookDeliveries } from '../../shared/use-cases/manage-webhooks.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler, pathParam } from '../lib/http-handler.js';

/** The last 50 attempts, newest first. */
export const handler = httpHandler('GET /v1/webhooks/{webhookId}/deliveries', {}, async (request) => ({
  statusCode: 200,
  body: {
    items: await webhookDeliveries(
      appContext(),
      request.principal,
      pathParam(request, 'webhookId', webhookIdSchema),
    ),
  },
}));
