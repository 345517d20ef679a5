import { contractInputSchema } from '../../shared/domain/contracts.js';
import { providerIdSchema } from '../../shared/domain/schemas.js';
import { recordAccess } from '../../shared/use-cases/access-audit.js';
import { putContract } from '../../shared/use-cases/contracts.js';
import { appContext } from '../lib/app-context.js';
import { accessOf, httpHandler, pathParam } from '../lib/http-handler.js';

/** 201 with the new version; 200 with the latest when it already says exactly this (a retried PUT). */
export const handler = httpHandler(
  'PUT /v1/providers/{providerId}/contract',
  { body: contractInputSchema },
  async (request) => {
    const ctx = appContext();
    const providerId = pathParam(request, 'providerId', providerIdSchema);
    const { created, contract } = await putContract(ctx, providerId, request.body, request.actor);
    await recordAccess(ctx, accessOf(request), [
      { action: 'contract.put', target: `provider:${providerId}:contract:${contract.version}` },
    ]);
    return { statusCode: created ? 201 : 200, body: contract };
  },
);
