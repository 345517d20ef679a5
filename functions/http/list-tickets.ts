import { listTicketsQuerySchema } from '../../shared/domain/schemas.js';
import { listTickets } from '../../shared/use-cases/list-tickets.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler } from '../lib/http-handler.js';

export const handler = httpHandler('GET /v1/tickets', { query: listTicketsQuerySchema }, async (request) => ({
  statusCode: 200,
  body: await listTickets(appContext(), request.principal, request.query),
}));
