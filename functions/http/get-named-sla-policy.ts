import { slaPolicyIdSchema } from '../../shared/domain/sla.js';
import { readPolicy } from '../../shared/use-cases/sla-policies.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler, pathParam } from '../lib/http-handler.js';

export const handler = httpHandler('GET /v1/sla-policies/{policyId}', {}, async (request) => ({
  statusCode: 200,
  body: await readPolicy(appContext(), pathParam(request, 'policyId', slaPolicyIdSchema)),
}));
