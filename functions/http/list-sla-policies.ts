import { listPolicies } from '../../shared/use-cases/sla-policies.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler } from '../lib/http-handler.js';

/** The SLA policies in matching order (lowest order, then id); the default policy is GET /v1/sla-policy. */
export const handler = httpHandler('GET /v1/sla-policies', {}, async () => ({
  statusCode: 200,
  body: { items: await listPolicies(appContext()) },
}));
