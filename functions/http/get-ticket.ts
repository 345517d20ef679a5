import { readTicket } from '../../shared/use-cases/read-ticket.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler } from '../lib/http-handler.js';

export const handler = httpHandler('GET /v1/tickets/{ticketId}', {}, async (request) => ({
  statusCode: 200,
  body: await readTicket(appContext(), request.principal, request.params.ticketId ?? ''),
}));
