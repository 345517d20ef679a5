// The typed client: openapi-fetch over the types generated from the served
// OpenAPI document, with the caller's key and retries for safe calls.
import createClient from 'openapi-fetch';
import type { paths } from './generated/openapi.js';
import { type RetryOptions, retryingFetch } from './retry.js';

export interface OutrouteClientOptions {
  /** The API's base URL, e.g. http://127.0.0.1:3000 */
  url: string;
  /** An API key: admin, source or provider. */
  key: string;
  retry?: RetryOptions;
  /** Another fetch (tests, proxies). */
  fetch?: typeof fetch;
}

export type OutrouteClient = ReturnType<typeof createClient<paths>>;

/**
 * `client.GET('/v1/tickets/{ticketId}', { params: { path: { ticketId } } })`,
 * `client.POST('/v1/tickets', { body })`: paths, parameters and bodies typed.
 */
export function createOutrouteClient(options: OutrouteClientOptions): OutrouteClient {
  return createClient<paths>({
    baseUrl: options.url.replace(/\/+$/, ''),
    headers: { authorization: `Bearer ${options.key}` },
    fetch: retryingFetch(options.fetch ?? globalThis.fetch, options.retry),
  });
}

/** Thrown for an answer outside 2xx: the API's error code and message, and the status. */
export class OutrouteApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = 'OutrouteApiError';
  }
}

/** The data of an openapi-fetch answer, or an OutrouteApiError. */
export function unwrap<T>(answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.response.ok) return answer.data as T;
  const body = (answer.error ?? {}) as { error?: { code?: string; message?: string; details?: unknown } };
  throw new OutrouteApiError(
    answer.response.status,
    body.error?.code ?? 'http_error',
    body.error?.message ?? answer.response.statusText,
    body.error?.details,
  );
}
