// Verifying an Outroute webhook: Outroute-Signature is
// v1=<hex HMAC-SHA256(secret, "<Outroute-Timestamp>.<raw body>")>.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface VerifyOptions {
  /** The subscription's secret (shown once when it was created). */
  secret: string;
  /** The raw request body, exactly as received (not re-serialized JSON). */
  body: string | Uint8Array;
  /** The request headers (a Headers object or Node's IncomingHttpHeaders). */
  headers: Headers | Record<string, string | string[] | undefined>;
  /** Refuse deliveries older or newer than this (default 300 s), against replays. */
  toleranceSeconds?: number;
  /** Unix seconds now (tests). */
  nowSeconds?: number;
}

const header = (headers: VerifyOptions['headers'], name: string): string | undefined => {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name.toLowerCase()] ?? headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export const signatureOf = (secret: string, timestamp: string, body: string | Uint8Array) =>
  `v1=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;

/** True when the delivery was signed with `secret` within the tolerance. Compares in constant time. */
export function verifyWebhookSignature(options: VerifyOptions): boolean {
  const timestamp = header(options.headers, 'outroute-timestamp');
  const signature = header(options.headers, 'outroute-signature');
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signatureOf(options.secret, timestamp, options.body));
  return signature
    .split(',')
    .map((part) => Buffer.from(part.trim()))
    .some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected));
}

/** An event as Outroute delivers it (API.md, "Events out"); consumers ignore types they do not know. */
export interface OutrouteEvent {
  id: string;
  type: string;
  at: string;
  ticketId?: string;
  providerId?: string;
  sourceId?: string;
  status?: string;
  [field: string]: unknown;
}
