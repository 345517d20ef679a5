import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UnavailableError } from '../lib/errors.js';
import { withoutSdkLogging } from '../lib/sdk-logging.js';
import { addRequestLog } from './request-log.js';

/**
 * What a DynamoDB error means for the caller:
 * - `condition`: a condition expression was false — a real answer ("exists", "stale", "full");
 * - `conflict`: another transaction held the item — nothing was written, try again;
 * - `throttle`: over a partition's or the table's throughput — nothing was written, try again later;
 * - `validation`: the request itself is wrong — a bug, never retried;
 * - `other`: anything else.
 */
export type DynamoErrorKind = 'condition' | 'conflict' | 'throttle' | 'validation' | 'other';

const THROTTLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);
const THROTTLE_REASONS = new Set([
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'RequestLimitExceeded',
]);

/**
 * One classifier for single writes (by exception name) and transactions (by
 * `CancellationReasons[].Code`). A cancelled transaction with any
 * `ConditionalCheckFailed` reason is a condition failure (that item's answer
 * is definite, whatever else collided); otherwise a `TransactionConflict`
 * makes it a conflict, a throttling reason a throttle.
 */
export function classifyDynamoError(error: unknown): DynamoErrorKind {
  const name = (error as { name?: string } | null)?.name;
  switch (name) {
    case 'ConditionalCheckFailedException':
      return 'condition';
    case 'TransactionConflictException':
    case 'TransactionInProgressException':
      return 'conflict';
    case 'ValidationException':
      return 'validation';
    case 'TransactionCanceledException': {
      const codes = cancellationCodes(error);
      if (codes.includes('ConditionalCheckFailed')) return 'condition';
      if (codes.includes('TransactionConflict')) return 'conflict';
      if (codes.some((code) => THROTTLE_REASONS.has(code))) return 'throttle';
      if (codes.includes('ValidationError') || codes.includes('ItemCollectionSizeLimitExceeded'))
        return 'validation';
      return 'other';
    }
    default:
      return name && THROTTLE_NAMES.has(name) ? 'throttle' : 'other';
  }
}

const cancellationCodes = (error: unknown): string[] =>
  ((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).map(
    (reason) => reason.Code ?? 'None',
  );

/** A condition expression was false (never a conflict or a throttle: those are retried, then `unavailable`). */
export const isConditionFailure = (error: unknown): boolean => classifyDynamoError(error) === 'condition';

/** Conflicts and throttles: nothing was written, the same request may simply be sent again. */
export const isTransient = (error: unknown): boolean => {
  const kind = classifyDynamoError(error);
  return kind === 'conflict' || kind === 'throttle';
};

/** For a cancelled transaction: which of its items failed their condition. */
export function failedConditionIndexes(error: unknown): number[] {
  return cancellationCodes(error).flatMap((code, index) =>
    code === 'ConditionalCheckFailed' ? [index] : [],
  );
}

export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  baseMs: number;
  capMs: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Five attempts over at most ~1.5 s: conflicts clear in milliseconds, a throttled partition within a second. */
export const TRANSIENT_RETRY: RetryOptions = { attempts: 5, baseMs: 25, capMs: 800 };

/** Capped exponential backoff with full jitter (AWS Architecture Blog): uniform in [0, min(cap, base·2^n)). */
export const backoffMs = (retry: number, options: RetryOptions): number =>
  (options.random ?? Math.random)() * Math.min(options.capMs, options.baseMs * 2 ** retry);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends `operation` again while it fails with a conflict or a throttle, then
 * gives up with a retryable `UnavailableError` (HTTP 503 with Retry-After; a
 * queue or stream record fails and is delivered again). Any other error,
 * condition failures included, passes through at once.
 */
export async function retryTransient<T>(
  operation: () => Promise<T>,
  options: RetryOptions = TRANSIENT_RETRY,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!isTransient(error)) throw error;
      if (attempt >= options.attempts)
        throw new UnavailableError(`the database stayed busy (${(error as Error).name}), retry shortly`, 1, {
          cause: error,
        });
      await (options.sleep ?? sleep)(backoffMs(attempt - 1, options));
    }
  }
}

/**
 * Adds the transient retry to a client's middleware stack, outermost (so it
 * wraps the document marshalling, the SDK's own retries and any fault
 * injection below it). Idempotent per client.
 */
export function addTransientRetry(client: DynamoDBClient, options: RetryOptions = TRANSIENT_RETRY): void {
  client.middlewareStack.add((next) => (args) => retryTransient(() => next(args), options), {
    name: 'outrouteTransientRetry',
    step: 'initialize',
    priority: 'high',
    override: true,
  });
}

/** A document client that drops undefined attributes and retries conflicts and throttles (see `retryTransient`). */
export function createDocumentClient(client = new DynamoDBClient({})): DynamoDBDocumentClient {
  withoutSdkLogging(client);
  addTransientRetry(client);
  // Measurement only (npm run bench:lifecycle): unset in AWS, so nothing is added there.
  if (process.env.OUTROUTE_WRITE_LOG) addRequestLog(client, process.env.OUTROUTE_WRITE_LOG);
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
