// Logger, metrics and tracer, configured once and imported everywhere.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

export const logger = new Logger({ serviceName: 'outroute' });
export const metrics = new Metrics({ namespace: 'Outroute', serviceName: 'outroute' });
export const tracer = new Tracer({ serviceName: 'outroute' });
