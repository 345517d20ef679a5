import { providerIdSchema } from '../../shared/domain/schemas.js';
import { listContracts } from '../../shared/use-cases/contracts.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler, pathParam } from '../lib/http-handler.js';

export const handler = httpHandler(
  'GET /v1/providers/{providerId}/contract/versions',
  {},
  async (request) => ({
    statusCode: 200,
    body: await listContracts(appContext(), pathParam(request, 'providerId', providerIdSchema)),
  }),
);
