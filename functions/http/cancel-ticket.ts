import { cancelRequestSchema } from '../../shared/domain/schemas.js';
import { cancelTicket } from '../../shared/use-cases/cancel-ticket.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler } from '../lib/http-handler.js';

export const handler = httpHandler(
  'POST /v1/tickets/{ticketId}/cancel',
  { body: cancelRequestSchema },
  async (request) => ({
    statusCode: 200,
    body: await cancelTicket(
      appContext(),
      request.principal,
      request.params.ticketId ?? '',
      request.body.reason,
    ),
  }),
);
