// Logger, metrics and tracer, configured once and imported everywhere.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { MiddlewareObj } from '@middy/core';
import { appendLines } from '../../shared/lib/append-lines.js';
import { withoutSdkLogging } from '../../shared/lib/sdk-logging.js';

export const logger = new Logger({ serviceName: 'outroute' });
/** Metrics log through the same logger, so POWERTOOLS_LOG_LEVEL also quiets their notices locally. */
export const metrics = new Metrics({ namespace: 'Outroute', serviceName: 'outroute', logger });
export const tracer = new Tracer({ serviceName: 'outroute' });

/** An AWS SDK client as the functions use it: traced, and without the SDK's logger middleware. */
export const sdkClient = <Client extends { middlewareStack: { remove(name: string): boolean } }>(
  client: Client,
): Client => withoutSdkLogging(tracer.captureAWSv3Client(client));

/**
 * Flushes EMF metrics when a handler recorded any (Powertools' own middleware warns on every empty flush).
 * In AWS they go to stdout, where Lambda hands EMF lines to CloudWatch. The local runtime sets
 * METRICS_LOG_FILE and they are appended to that JSON-lines file instead of flooding the console.
 * Read at flush time: the module may be imported (and `metrics` built) before the runtime sets it.
 */
function publishMetrics(): MiddlewareObj {
  const flush = async () => {
    if (!metrics.hasStoredMetrics()) return;
    const file = process.env.METRICS_LOG_FILE;
    if (!file) {
      metrics.publishStoredMetrics();
      return;
    }
    // What publishStoredMetrics prints and then clears, written to the file.
    const line = `${JSON.stringify(metrics.serializeMetrics())}\n`;
    metrics.clearMetrics();
    metrics.clearDimensions();
    metrics.clearMetadata();
    await appendLines(file, line);
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
