import { providerIdSchema, providerInputSchema } from '../../shared/domain/schemas.js';
import { savedProvider } from '../../shared/use-cases/manage-providers.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler, pathParam } from '../lib/http-handler.js';

export const handler = httpHandler(
  'PUT /v1/providers/{providerId}',
  { body: providerInputSchema },
  async (request) => ({
    statusCode: 200,
    body: await savedProvider(appContext(), pathParam(request, 'providerId', providerIdSchema), request.body),
  }),
);
