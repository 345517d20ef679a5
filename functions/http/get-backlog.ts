import { backlog } from '../../shared/use-cases/read-metrics.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler } from '../lib/http-handler.js';

export const handler = httpHandler('GET /v1/metrics/backlog', {}, async () => ({
  statusCode: 200,
  body: await backlog(appContext()),
}));
