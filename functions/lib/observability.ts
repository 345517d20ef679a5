// Logger, metrics and tracer, configured once and imported everywhere.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { MiddlewareObj } from '@middy/core';

export const logger = new Logger({ serviceName: 'outroute' });
/** Metrics log through the same logger, so POWERTOOLS_LOG_LEVEL also quiets their notices locally. */
export const metrics = new Metrics({ namespace: 'Outroute', serviceName: 'outroute', logger });
export const tracer = new Tracer({ serviceName: 'outroute' });

/** Flushes EMF metrics when a handler recorded any (Powertools' own middleware warns on every empty flush). */
function publishMetrics(): MiddlewareObj {
  const flush = () => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { name: 'publishMetrics', after: flush, onError: flush };
}

/**
 * Every handler's first middlewares: the Lambda context in each log line,
 * keys reset per invocation (so one request's keys never leak into the next),
 * and metrics flushed at the end.
 */
export const observed = (): MiddlewareObj[] => [
  injectLambdaContext(logger, { resetKeys: true }) as MiddlewareObj,
  publishMetrics(),
];
