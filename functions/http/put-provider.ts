import { providerIdSchema, providerInputSchema } from '../../shared/domain/schemas.js';
import { recordAccess } from '../../shared/use-cases/access-audit.js';
import { savedProvider } from '../../shared/use-cases/manage-providers.js';
import { appContext } from '../lib/app-context.js';
import { accessOf, httpHandler, pathParam } from '../lib/http-handler.js';

export const handler = httpHandler(
  'PUT /v1/providers/{providerId}',
  { body: providerInputSchema },
  async (request) => {
    const ctx = appContext();
    const providerId = pathParam(request, 'providerId', providerIdSchema);
    const provider = await savedProvider(ctx, providerId, request.body);
    await recordAccess(ctx, accessOf(request), [
      { action: 'provider.put', target: `provider:${providerId}` },
    ]);
    return { statusCode: 200, body: provider };
  },
);
