import { reprioritizeRequestSchema } from '../../shared/domain/sla.js';
import { reprioritizeTicket } from '../../shared/use-cases/sla-policies.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler } from '../lib/http-handler.js';

/** A new priority: targets recomputed from createdAt; a completed or cancelled ticket → 409. */
export const handler = httpHandler(
  'PATCH /v1/tickets/{ticketId}',
  { body: reprioritizeRequestSchema },
  async (request) => ({
    statusCode: 200,
    body: await reprioritizeTicket(
      appContext(),
      request.principal,
      request.params.ticketId ?? '',
      request.body.priority,
    ),
  }),
);
