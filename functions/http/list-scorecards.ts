import { scorecardQuerySchema } from '../../shared/domain/contracts.js';
import { allScorecards, scorecardsAsCsv } from '../../shared/use-cases/contracts.js';
import { appContext } from '../lib/app-context.js';
import { csvResult, httpHandler } from '../lib/http-handler.js';

export const handler = httpHandler('GET /v1/scorecards', { query: scorecardQuerySchema }, async (request) => {
  const cards = await allScorecards(appContext(), request.query.period);
  if (request.query.format === 'csv')
    return csvResult(scorecardsAsCsv(cards), `scorecards-${request.query.period}.csv`);
  return { statusCode: 200, body: cards };
});
