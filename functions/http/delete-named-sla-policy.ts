import { slaPolicyIdSchema } from '../../shared/domain/sla.js';
import { recordAccess } from '../../shared/use-cases/access-audit.js';
import { removePolicy } from '../../shared/use-cases/sla-policies.js';
import { appContext } from '../lib/app-context.js';
import { accessOf, httpHandler, pathParam } from '../lib/http-handler.js';

/** 204; tickets that got the policy keep their targets. */
export const handler = httpHandler('DELETE /v1/sla-policies/{policyId}', {}, async (request) => {
  const ctx = appContext();
  const policyId = pathParam(request, 'policyId', slaPolicyIdSchema);
  await removePolicy(ctx, policyId);
  await recordAccess(ctx, accessOf(request), [
    { action: 'sla_policy.deleted', target: `sla-policy:${policyId}` },
  ]);
  return { statusCode: 204 };
});
