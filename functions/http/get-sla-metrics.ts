import { slaMetricsQuerySchema } from '../../shared/domain/sla.js';
import { slaMetricsReport } from '../../shared/use-cases/sla-policies.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler } from '../lib/http-handler.js';

export const handler = httpHandler(
  'GET /v1/metrics/sla',
  { query: slaMetricsQuerySchema },
  async (request) => ({
    statusCode: 200,
    body: await slaMetricsReport(appContext(), request.query),
  }),
);
