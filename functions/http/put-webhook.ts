import { webhookIdSchema, webhookInputSchema } from '../../shared/domain/webhooks.js';
import { recordAccess } from '../../shared/use-cases/access-audit.js';
import { putWebhook } from '../../shared/use-cases/manage-webhooks.js';
import { appContext } from '../lib/app-context.js';
import { accessOf, httpHandler, pathParam } from '../lib/http-handler.js';
import { webhookEnv } from '../lib/webhooks.js';

/** 201 new, 200 replaced; `secret` only when generated here, this once. */
export const handler = httpHandler(
  'PUT /v1/webhooks/{webhookId}',
  { body: webhookInputSchema },
  async (request) => {
    const ctx = appContext();
    const webhookId = pathParam(request, 'webhookId', webhookIdSchema);
    const { created, webhook } = await putWebhook(
      ctx,
      request.principal,
      webhookId,
      request.body,
      webhookEnv().WEBHOOK_URL_POLICY,
    );
    await recordAccess(ctx, accessOf(request), [{ action: 'webhook.put', target: `webhook:${webhookId}` }]);
    return { statusCode: created ? 201 : 200, body: webhook };
  },
);
