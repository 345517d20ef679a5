import { providerStatusSchema } from '../../shared/domain/schemas.js';
import { recordAccess } from '../../shared/use-cases/access-audit.js';
import { changeProviderStatus } from '../../shared/use-cases/manage-providers.js';
import { appContext } from '../lib/app-context.js';
import { accessOf, httpHandler } from '../lib/http-handler.js';

export const handler = httpHandler(
  'POST /v1/providers/{providerId}/status',
  { body: providerStatusSchema },
  async (request) => {
    const ctx = appContext();
    const providerId = request.params.providerId ?? '';
    const provider = await changeProviderStatus(ctx, providerId, request.body.status);
    await recordAccess(ctx, accessOf(request), [
      { action: `provider.status_${request.body.status}`, target: `provider:${providerId}` },
    ]);
    return { statusCode: 200, body: provider };
  },
);
