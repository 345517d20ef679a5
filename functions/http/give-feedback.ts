import { feedbackRequestSchema } from '../../shared/domain/feedback.js';
import { giveFeedback } from '../../shared/use-cases/feedback.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler } from '../lib/http-handler.js';

/** A rating of a completed ticket, or a reopening for rework; 200 with the ticket either way. */
export const handler = httpHandler(
  'POST /v1/tickets/{ticketId}/feedback',
  { body: feedbackRequestSchema },
  async (request) => ({
    statusCode: 200,
    body: await giveFeedback(appContext(), request.principal, request.params.ticketId ?? '', request.body),
  }),
);
