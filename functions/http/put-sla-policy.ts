import { slaPolicySchema } from '../../shared/domain/schemas.js';
import { putPolicy } from '../../shared/store/config-store.js';
import { recordAccess } from '../../shared/use-cases/access-audit.js';
import { isoNow } from '../../shared/use-cases/context.js';
import { appContext } from '../lib/app-context.js';
import { accessOf, httpHandler } from '../lib/http-handler.js';

export const handler = httpHandler('PUT /v1/sla-policy', { body: slaPolicySchema }, async (request) => {
  const ctx = appContext();
  await putPolicy(ctx.table, 'sla', request.body, isoNow(ctx));
  await recordAccess(ctx, accessOf(request), [{ action: 'policy.put', target: 'policy:sla' }]);
  return { statusCode: 200, body: request.body };
});
