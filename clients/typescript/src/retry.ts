// Retries with exponential backoff and full jitter, for the calls that are
// safe to repeat: reads, PUT and DELETE (idempotent by definition), ticket
// intake (idempotent by externalId), and complete/extend (idempotent per
// lease token). A lease is never retried: a lost answer would hold items.

export interface RetryOptions {
  /** Retries after the first try (default 4). */
  retries?: number;
  /** The first retry waits up to this long (default 200 ms); each next one twice as long. */
  baseDelayMs?: number;
  /** No wait is longer than this (default 10 s), Retry-After included. */
  maxDelayMs?: number;
  /** A draw in [0, 1), for tests. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const RETRYABLE_POSTS = [
  /\/v1\/tickets$/,
  /\/v1\/tickets\/batch$/,
  /\/v1\/tickets\/[^/]+\/complete$/,
  /\/v1\/tickets\/[^/]+\/extend$/,
];

/** Whether a request may be sent again after a 429, a 5xx or a network error. */
export function isRetryable(method: string, url: string): boolean {
  const upper = method.toUpperCase();
  if (IDEMPOTENT_METHODS.has(upper)) return true;
  const path = new URL(url).pathname.replace(/\/+$/, '');
  return upper === 'POST' && RETRYABLE_POSTS.some((pattern) => pattern.test(path));
}

export const retryableStatus = (status: number) => status === 429 || status >= 500;

/** The wait before retry `retry` (0-based): full jitter over base·2^retry, capped; Retry-After wins when longer. */
export function backoffDelayMs(
  retry: number,
  options: RetryOptions = {},
  retryAfter?: string | null,
): number {
  const base = options.baseDelayMs ?? 200;
  const max = options.maxDelayMs ?? 10_000;
  const random = options.random ?? Math.random;
  const jittered = Math.floor(random() * Math.min(max, base * 2 ** retry));
  const seconds = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : 0;
  return Math.min(max, Math.max(jittered, seconds));
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A fetch that retries what is safe to retry. */
export function retryingFetch(inner: typeof fetch = fetch, options: RetryOptions = {}): typeof fetch {
  const retries = options.retries ?? 4;
  const sleep = options.sleep ?? defaultSleep;
  return async (input, init) => {
    const request = new Request(input, init);
    if (!isRetryable(request.method, request.url)) return inner(request);
    for (let retry = 0; ; retry += 1) {
      const attempt = request.clone();
      let response: Response | undefined;
      try {
        response = await inner(attempt);
      } catch (error) {
        if (retry >= retries || request.signal.aborted) throw error;
      }
      if (response && (!retryableStatus(response.status) || retry >= retries)) return response;
      const delay = backoffDelayMs(retry, options, response?.headers.get('retry-after'));
      await response?.body?.cancel();
      await sleep(delay);
    }
  };
}
