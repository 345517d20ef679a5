/** The error codes of API.md. The HTTP layer maps each to its status. */
export type ErrorCode =
  | 'validation_error'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'throttled'
  /** 503: the database stayed busy (transaction conflicts or throttling) after a few retries; safe to retry. */
  | 'unavailable';

export interface ErrorDetail {
  path: string;
  message: string;
}

/** An expected failure that a caller can act on; anything else is a bug. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** A 429: the caller should wait `retryAfterSeconds` (sent as Retry-After) before trying again. */
export class ThrottledError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('throttled', message);
  }
}

/**
 * A 503: a transient failure (DynamoDB transaction conflicts or throttling
 * outlasted our retries). Nothing was written; the caller retries after
 * `retryAfterSeconds`, a queue or stream by failing the record.
 */
export class UnavailableError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
    options?: { cause?: unknown },
  ) {
    super('unavailable', message);
    if (options && 'cause' in options) this.cause = options.cause;
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);
export const conflict = (message: string) => new AppError('conflict', message);
