import { slaPolicyDefinitionSchema, slaPolicyIdSchema } from '../../shared/domain/sla.js';
import { recordAccess } from '../../shared/use-cases/access-audit.js';
import { savePolicy } from '../../shared/use-cases/sla-policies.js';
import { appContext } from '../lib/app-context.js';
import { accessOf, httpHandler, pathParam } from '../lib/http-handler.js';

/** 201 new, 200 replaced; applies to tickets created afterwards. */
export const handler = httpHandler(
  'PUT /v1/sla-policies/{policyId}',
  { body: slaPolicyDefinitionSchema },
  async (request) => {
    const ctx = appContext();
    const policyId = pathParam(request, 'policyId', slaPolicyIdSchema);
    const { created, policy } = await savePolicy(ctx, policyId, request.body);
    await recordAccess(ctx, accessOf(request), [
      { action: 'sla_policy.put', target: `sla-policy:${policyId}` },
    ]);
    return { statusCode: created ? 201 : 200, body: policy };
  },
);
