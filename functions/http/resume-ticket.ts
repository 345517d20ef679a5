import { resumeRequestSchema } from '../../shared/domain/schemas.js';
import { resumeTicket } from '../../shared/use-cases/holds.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler } from '../lib/http-handler.js';

/** Off hold (source, admin or the holding provider): queued again at the same provider, due moved later. */
export const handler = httpHandler(
  'POST /v1/tickets/{ticketId}/resume',
  { body: resumeRequestSchema },
  async (request) => ({
    statusCode: 200,
    body: await resumeTicket(
      appContext(),
      request.principal,
      request.params.ticketId ?? '',
      request.body.note,
    ),
  }),
);
