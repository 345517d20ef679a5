import { leaseRequestSchema } from '../../shared/domain/schemas.js';
import { recordAccess } from '../../shared/use-cases/access-audit.js';
import { leaseTickets } from '../../shared/use-cases/provider-work.js';
import { appContext } from '../lib/app-context.js';
import { accessOf, httpHandler, ownProviderId } from '../lib/http-handler.js';

/** A lease hands out the tickets' payloads: each one is a payload read in the access audit trail. */
export const handler = httpHandler(
  'POST /v1/providers/{providerId}/lease',
  { body: leaseRequestSchema },
  async (request) => {
    const ctx = appContext();
    const access = accessOf(request);
    // Each ticket keeps who leased it (the trail by ticket); the request is one entry of the trail.
    const items = await leaseTickets(ctx, ownProviderId(request), request.body, access);
    await recordAccess(
      ctx,
      access,
      items.map((item) => ({
        action: 'ticket.payload_read',
        target: `ticket:${item.ticketId}`,
        ticketId: item.ticketId,
      })),
    );
    return { statusCode: 200, body: { items } };
  },
);
