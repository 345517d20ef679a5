import { auditQuerySchema } from '../../shared/domain/access-schemas.js';
import { readAuditTrail } from '../../shared/use-cases/access-audit.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler } from '../lib/http-handler.js';

/** The access audit trail, oldest first, by ticket, actor and time window; follow `cursor`. */
export const handler = httpHandler('GET /v1/audit', { query: auditQuerySchema }, async (request) => ({
  statusCode: 200,
  body: await readAuditTrail(appContext(), request.query),
}));
