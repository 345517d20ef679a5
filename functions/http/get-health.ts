import { checkHealth } from '../../shared/use-cases/check-health.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler } from '../lib/http-handler.js';

/** Healthy once every dependency (the table, the routing queue) answers. */
export const handler = httpHandler('GET /health', {}, async () =>
  (await checkHealth(appContext()))
    ? { statusCode: 200, body: { status: 'ok' } }
    : { statusCode: 503, body: { status: 'unavailable' } },
);
