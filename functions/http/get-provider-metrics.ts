import { metricsQuerySchema } from '../../shared/domain/schemas.js';
import { providerMetrics } from '../../shared/use-cases/read-metrics.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler } from '../lib/http-handler.js';

export const handler = httpHandler(
  'GET /v1/metrics/providers',
  { query: metricsQuerySchema },
  async (request) => ({
    statusCode: 200,
    body: await providerMetrics(appContext(), request.query),
  }),
);
