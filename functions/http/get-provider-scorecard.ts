import { scorecardQuerySchema } from '../../shared/domain/contracts.js';
import { providerIdSchema } from '../../shared/domain/schemas.js';
import { providerScorecard, scorecardsAsCsv } from '../../shared/use-cases/contracts.js';
import { appContext } from '../lib/app-context.js';
import { csvResult, httpHandler, pathParam } from '../lib/http-handler.js';

export const handler = httpHandler(
  'GET /v1/providers/{providerId}/scorecard',
  { query: scorecardQuerySchema },
  async (request) => {
    const providerId = pathParam(request, 'providerId', providerIdSchema);
    const card = await providerScorecard(appContext(), providerId, request.query.period);
    if (request.query.format === 'csv')
      return csvResult(
        scorecardsAsCsv({ items: [card] }),
        `scorecard-${providerId}-${request.query.period}.csv`,
      );
    return { statusCode: 200, body: card };
  },
);
