import { webhookIdSchema } from '../../shared/domain/webhooks.js';
import { recordAccess } from '../../shared/use-cases/access-audit.js';
import { removeWebhook } from '../../shared/use-cases/manage-webhooks.js';
import { appContext } from '../lib/app-context.js';
import { accessOf, httpHandler, pathParam } from '../lib/http-handler.js';

export const handler = httpHandler('DELETE /v1/webhooks/{webhookId}', {}, async (request) => {
  const ctx = appContext();
  const webhookId = pathParam(request, 'webhookId', webhookIdSchema);
  await removeWebhook(ctx, request.principal, webhookId);
  await recordAccess(ctx, accessOf(request), [{ action: 'webhook.deleted', target: `webhook:${webhookId}` }]);
  return { statusCode: 204 };
});
