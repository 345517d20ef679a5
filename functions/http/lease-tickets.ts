import { leaseRequestSchema } from '../../shared/domain/schemas.js';
import { leaseTickets } from '../../shared/use-cases/provider-work.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler, ownProviderId } from '../lib/http-handler.js';

export const handler = httpHandler(
  'POST /v1/providers/{providerId}/lease',
  { body: leaseRequestSchema },
  async (request) => ({
    statusCode: 200,
    body: { items: await leaseTickets(appContext(), ownProviderId(request), request.body) },
  }),
);
