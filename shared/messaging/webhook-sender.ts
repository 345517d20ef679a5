// Sends one webhook request. In AWS ('public' policy) the host is resolved
// first and every address it resolves to is checked; the request then
// connects to the checked address only (the lookup is pinned), so a DNS answer
// that changes between the check and the connection (rebinding) cannot send it
// anywhere else. Redirects are not followed.
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import {
  blockedAddress,
  DELIVERY_TIMEOUT_MS,
  type UrlPolicy,
  webhookUrlProblem,
} from '../domain/webhooks.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to all its addresses (dns.lookup with all: true by default). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map(({ address, family }) => ({
    address,
    family: family === 6 ? 6 : 4,
  }));

export interface SendResult {
  /** The receiver's status; undefined when it never answered (network error, timeout, blocked address). */
  status?: number;
  latencyMs: number;
  error?: string;
}

export interface WebhookSender {
  send(url: string, body: string, headers: Record<string, string>): Promise<SendResult>;
}

export class BlockedAddressError extends Error {}

/**
 * The one address a request may connect to: the URL's checked, then pinned.
 * Under 'public' every address the name resolves to must be allowed (a name
 * with one private answer among public ones is refused: which one a client
 * would pick is not ours to guess).
 */
export async function pinnedAddress(
  url: URL,
  policy: UrlPolicy,
  resolve: Resolver,
  isBlocked: (address: string) => boolean = blockedAddress,
): Promise<ResolvedAddress> {
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const literal = /^[\d.]+$/.test(host) || host.includes(':');
  const addresses = literal
    ? [{ address: host, family: host.includes(':') ? 6 : 4 } as const]
    : await resolve(host);
  if (!addresses.length) throw new BlockedAddressError(`${host} does not resolve`);
  if (policy === 'public' || isBlocked !== blockedAddress) {
    const blocked = addresses.find((candidate) => isBlocked(candidate.address));
    if (blocked)
      throw new BlockedAddressError(`${host} resolves to ${blocked.address}, which is not allowed`);
  }
  return addresses[0] as ResolvedAddress;
}

export function httpWebhookSender(options: {
  policy: UrlPolicy;
  resolve?: Resolver;
  timeoutMs?: number;
  /** Tests only: an address rule of their own, applied under any policy (so a rebinding test can use loopback). */
  isBlocked?: (address: string) => boolean;
  now?: () => number;
}): WebhookSender {
  const resolve = options.resolve ?? systemResolver;
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  const now = options.now ?? (() => performance.now());
  return {
    async send(rawUrl, body, headers) {
      const started = now();
      const elapsed = () => Math.round(now() - started);
      const problem = webhookUrlProblem(rawUrl, options.policy);
      if (problem) return { latencyMs: 0, error: `url refused: ${problem}` };
      const url = new URL(rawUrl);
      let pinned: ResolvedAddress;
      try {
        pinned = await pinnedAddress(url, options.policy, resolve, options.isBlocked);
      } catch (error) {
        return { latencyMs: elapsed(), error: (error as Error).message };
      }
      // Every lookup the connection makes answers the checked address.
      const lookup: LookupFunction = (_hostname, lookupOptions, callback) => {
        if ((lookupOptions as { all?: boolean }).all)
          (callback as unknown as (error: null, addresses: ResolvedAddress[]) => void)(null, [pinned]);
        else callback(null, pinned.address, pinned.family);
      };
      return new Promise<SendResult>((resolvePromise) => {
        const transport = url.protocol === 'https:' ? https : http;
        const request = transport.request(
          url,
          {
            method: 'POST',
            headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
            lookup,
            timeout: timeoutMs,
            signal: AbortSignal.timeout(timeoutMs),
          },
          (response) => {
            // Only the status matters; the body is drained and dropped.
            response.resume();
            response.on('end', () => resolvePromise({ status: response.statusCode, latencyMs: elapsed() }));
            response.on('error', (error) =>
              resolvePromise({ status: response.statusCode, latencyMs: elapsed(), error: error.message }),
            );
          },
        );
        request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        request.on('error', (error) =>
          resolvePromise({
            latencyMs: elapsed(),
            error: error.name === 'AbortError' ? `no answer within ${timeoutMs} ms` : error.message,
          }),
        );
        request.end(body);
      });
    },
  };
}
