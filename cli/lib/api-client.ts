// A small fetch client for the HTTP contract of API.md.
import { ApiError, CliError } from './errors.js';
import { requireKey, type Settings } from './settings.js';

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** Another key than the client's own (a provider's or a source's). */
  key?: string;
  timeoutMs?: number;
}

export class ApiClient {
  constructor(
    readonly url: string,
    private readonly key: string,
    private readonly unreachableHint = '',
  ) {}

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const target = new URL(`${this.url}${path}`);
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) target.searchParams.set(name, String(value));
    }
    let response: Response;
    try {
      response = await fetch(target, {
        method,
        headers: {
          authorization: `Bearer ${options.key ?? this.key}`,
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      throw unreachable(this.url, error, this.unreachableHint);
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string; details?: unknown } } | undefined)
        ?.error;
      throw new ApiError(
        response.status,
        error?.code ?? 'http_error',
        error?.message ?? (text.slice(0, 200) || response.statusText),
        Array.isArray(error?.details) ? error.details : [],
        `${method} ${path}`,
      );
    }
    return parsed as T;
  }

  get<T>(path: string, options?: RequestOptions) {
    return this.request<T>('GET', path, options);
  }
  put<T>(path: string, body: unknown, options?: RequestOptions) {
    return this.request<T>('PUT', path, { ...options, body });
  }
  post<T>(path: string, body?: unknown, options?: RequestOptions) {
    return this.request<T>('POST', path, { ...options, body: body ?? {} });
  }
}

function unreachable(url: string, error: unknown, hint: string): CliError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const name = (error as Error).name;
  const why =
    name === 'TimeoutError'
      ? 'no answer within 30 s'
      : (cause?.code ?? cause?.message ?? (error as Error).message ?? 'unknown error');
  return new CliError(`cannot reach the Outroute platform at ${url} (${why})${hint}`);
}

/** The admin client for the settings in force: needs a key. */
export function adminClient(settings: Settings): ApiClient {
  const key = requireKey(settings);
  const hint =
    settings.urlSource === 'default'
      ? `: is npm start running? (no runtime.json in ${settings.dataDir}; pass --url or --data-dir)`
      : settings.urlSource === 'runtime.json'
        ? `: is npm start still running on ${settings.dataDir}?`
        : '';
  return new ApiClient(settings.url, key, hint);
}

/** Encodes a path segment given by the operator. */
export const segment = (value: string) => encodeURIComponent(value);
