import { providerStatusSchema } from '../../shared/domain/schemas.js';
import { changeProviderStatus } from '../../shared/use-cases/manage-providers.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler } from '../lib/http-handler.js';

export const handler = httpHandler(
  'POST /v1/providers/{providerId}/status',
  { body: providerStatusSchema },
  async (request) => ({
    statusCode: 200,
    body: await changeProviderStatus(appContext(), request.params.providerId ?? '', request.body.status),
  }),
);
