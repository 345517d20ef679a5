import { extendRequestSchema } from '../../shared/domain/schemas.js';
import { extendLease } from '../../shared/use-cases/provider-work.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler, leaseCall } from '../lib/http-handler.js';

export const handler = httpHandler(
  'POST /v1/tickets/{ticketId}/extend',
  { body: extendRequestSchema },
  async (request) => ({
    statusCode: 200,
    body: await extendLease(appContext(), leaseCall(request), request.body.leaseSeconds),
  }),
);
