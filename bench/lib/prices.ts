// List prices, us-east-1, on-demand, without free tiers: the one place the
// benchmarks take them from. (Checked against the AWS pricing pages as of
// 2026; DynamoDB on-demand since the November 2024 price cut.)
export const PRICES = {
  dynamoWritePerMillionUnits: 0.625,
  dynamoReadPerMillionUnits: 0.125,
  /** Standard queues; every API action is a request (per started 64 KB of payload). */
  sqsPerMillionRequests: 0.4,
  /** FIFO queues (webhook deliveries). */
  sqsFifoPerMillionRequests: 0.5,
  lambdaPerMillionRequests: 0.2,
  /** arm64, the first 6 billion GB-s of a month. */
  lambdaPerGbSecond: 0.0000133334,
  /** HTTP API, the first 300 million requests of a month (per started 512 KB). */
  httpApiPerMillionRequests: 1.0,
  /** EventBridge custom events (per started 64 KB). */
  eventBridgePerMillionEvents: 1.0,
  cloudWatchLogsIngestionPerGb: 0.5,
} as const;

/**
 * Each function's memory as the stack configures it (infra/constructs:
 * http-api.ts authorizer 256 MB, routes 512 MB or 1024 MB for the heavy ones;
 * consumers.ts intake 512 MB, router 1024 MB, stream 512 MB (the default);
 * webhooks.ts delivery 256 MB; scheduler.ts sweep 512 MB).
 */
export function memoryMbOf(functionName: string): number {
  const name = functionName.replace(/^(http|queue|stream|schedule|auth)\//, '');
  if (name === 'authorize' || name === 'deliver-webhooks') return 256;
  if (name === 'route-tickets') return 1024;
  if (['create-ticket-batch', 'get-backlog', 'get-provider-metrics'].includes(name)) return 1024;
  return 512;
}

/**
 * Estimates of the CloudWatch Logs bytes nobody writes locally: per
 * invocation, Lambda's own platform.start and platform.report lines in the
 * JSON log format (about 600 bytes together); per HTTP API request, its access
 * log line (infra/constructs/http-api.ts ACCESS_LOG_FORMAT, about 350 bytes).
 */
export const LOG_BYTES = { perInvocation: 600, perHttpAccessLogLine: 350 } as const;
