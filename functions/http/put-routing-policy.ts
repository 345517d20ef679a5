import { routingPolicySchema } from '../../shared/domain/schemas.js';
import { putPolicy } from '../../shared/store/config-store.js';
import { isoNow } from '../../shared/use-cases/context.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler } from '../lib/http-handler.js';

export const handler = httpHandler(
  'PUT /v1/routing-policy',
  { body: routingPolicySchema },
  async (request) => {
    const ctx = appContext();
    await putPolicy(ctx.table, 'routing', request.body, isoNow(ctx));
    return { statusCode: 200, body: request.body };
  },
);
