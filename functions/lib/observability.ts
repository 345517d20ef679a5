// Logger, metrics and tracer, configured once and imported everywhere.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

export const logger = new Logger({ serviceName: 'outroute' });
/** Metrics log through the same logger, so POWERTOOLS_LOG_LEVEL also quiets their notices locally. */
export const metrics = new Metrics({ namespace: 'Outroute', serviceName: 'outroute', logger });
export const tracer = new Tracer({ serviceName: 'outroute' });
