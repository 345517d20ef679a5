import { contractQuerySchema } from '../../shared/domain/contracts.js';
import { providerIdSchema } from '../../shared/domain/schemas.js';
import { readContract } from '../../shared/use-cases/contracts.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler, pathParam } from '../lib/http-handler.js';

export const handler = httpHandler(
  'GET /v1/providers/{providerId}/contract',
  { query: contractQuerySchema },
  async (request) => ({
    statusCode: 200,
    body: await readContract(
      appContext(),
      pathParam(request, 'providerId', providerIdSchema),
      request.query.at,
    ),
  }),
);
