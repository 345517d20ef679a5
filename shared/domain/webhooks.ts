// Webhooks: who receives which event, how a delivery is signed, when a failed
// one is tried again, and which URLs may receive anything at all. Pure rules:
// no I/O and no clock reads (the signature uses node:crypto's HMAC only).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { OutEvent } from './events.js';
import { providerIdSchema, sourceIdSchema } from './schemas.js';

export const webhookIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lowercase letters, digits and dashes');

/** An event type such as `ticket.completed`, or `*` for every type. */
const eventTypeSchema = z
  .string()
  .regex(/^(\*|[a-z_]+\.[a-z_]+)$/, 'an event type such as ticket.completed, or *');

export const webhookInputSchema = z
  .strictObject({
    url: z.string().min(1).max(2048),
    events: z.array(eventTypeSchema).min(1).max(50),
    sourceId: sourceIdSchema.optional(),
    providerId: providerIdSchema.optional(),
    /** The HMAC key; generated when absent. At least 16 characters, at most 256. */
    secret: z.string().min(16).max(256).optional(),
    enabled: z.boolean().default(true),
  })
  .refine((input) => !(input.sourceId && input.providerId), {
    message: 'a webhook is scoped to a source or to a provider, not both',
    path: ['providerId'],
  });

export type WebhookInput = z.infer<typeof webhookInputSchema>;

/** A stored subscription. `secret` never leaves the store except in the answer that created it. */
export interface Webhook {
  webhookId: string;
  url: string;
  events: string[];
  sourceId?: string;
  providerId?: string;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
  /** Set by the first failed delivery after a success, cleared by the next success. */
  failingSince?: string;
  disabledAt?: string;
  disabledReason?: string;
}

export interface StoredWebhook extends Webhook {
  secret: string;
}

/** What the API shows of a subscription: never its secret. */
export function publicWebhook(webhook: StoredWebhook | Webhook): Webhook {
  const { secret: _secret, ...rest } = webhook as StoredWebhook;
  return rest;
}

/**
 * Whether this subscription receives this event: enabled, the type listed
 * (or `*`), and inside its scope: a source-scoped one gets only its source's
 * tickets, a provider-scoped one only events of tickets routed to that
 * provider (the event's provider, else the ticket's at that moment).
 */
export function webhookMatches(
  webhook: Pick<Webhook, 'enabled' | 'events' | 'sourceId' | 'providerId'>,
  event: OutEvent,
  ticketProviderId?: string,
): boolean {
  if (!webhook.enabled) return false;
  if (!webhook.events.includes('*') && !webhook.events.includes(event.type)) return false;
  if (webhook.sourceId && event.sourceId !== webhook.sourceId) return false;
  if (webhook.providerId && (event.providerId ?? ticketProviderId) !== webhook.providerId) return false;
  return true;
}

// ---- signing ---------------------------------------------------------------

export const SIGNATURE_HEADER = 'Outroute-Signature';
export const TIMESTAMP_HEADER = 'Outroute-Timestamp';
export const EVENT_ID_HEADER = 'Outroute-Event-Id';

/** `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`, timestamp in Unix seconds. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The headers of one delivery. */
export function webhookHeaders(secret: string, eventId: string, timestamp: number, body: string) {
  return {
    'content-type': 'application/json',
    'user-agent': 'Outroute-Webhooks/1',
    [EVENT_ID_HEADER]: eventId,
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
  };
}

/**
 * Checks a received delivery: one of the `v1=` signatures matches (compared in
 * constant time) and the timestamp is within `toleranceSeconds` of `nowSeconds`.
 */
export function verifyWebhook(options: {
  secret: string;
  body: string;
  timestamp: string | null | undefined;
  signature: string | null | undefined;
  nowSeconds: number;
  toleranceSeconds?: number;
}): boolean {
  const { secret, body, timestamp, signature, nowSeconds, toleranceSeconds = 300 } = options;
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, Number(timestamp), body));
  return signature
    .split(',')
    .map((part) => Buffer.from(part.trim()))
    .some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected));
}

// ---- retries ---------------------------------------------------------------

/** How long a delivery is tried before the event goes to the DLQ, and how long a subscription may fail before it is disabled. */
export const RETRY_WINDOW_SECONDS = 24 * 3600;
/** The first retry waits about this long; each next one twice as long, up to the cap. */
export const DEFAULT_RETRY_BASE_SECONDS = 30;
export const RETRY_CAP_SECONDS = 3 * 3600;
/** SQS holds a message invisible for at most 12 h. */
const MAX_VISIBILITY_SECONDS = 12 * 3600;
/** A receiver has this long to answer. */
export const DELIVERY_TIMEOUT_MS = 5000;

/**
 * Seconds to wait before retry number `attempt` (1 = after the first failed
 * try): exponential (base · 2^(attempt−1), capped) with "equal jitter", a
 * uniform draw in the upper half, so receivers that failed together do not
 * all come back at once. `random` is a draw in [0, 1).
 */
export function retryDelaySeconds(
  attempt: number,
  random: number,
  baseSeconds = DEFAULT_RETRY_BASE_SECONDS,
): number {
  const exponential = Math.min(RETRY_CAP_SECONDS, baseSeconds * 2 ** Math.max(0, attempt - 1));
  const delay = exponential / 2 + random * (exponential / 2);
  return Math.min(MAX_VISIBILITY_SECONDS, Math.max(1, Math.round(delay)));
}

/** What a receiver's answer (or the lack of one) means. */
export type DeliveryOutcome = 'delivered' | 'retry' | 'give_up';

export function classifyDelivery(status: number | undefined): DeliveryOutcome {
  if (status === undefined) return 'retry'; // network error, timeout, blocked DNS answer
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 429 || status >= 500) return 'retry';
  return 'give_up'; // other 4xx (and odd 1xx/3xx: redirects are not followed)
}

/** Whether a failed delivery that started at `firstAttemptAt` may be tried again at `retryAt` (epoch ms). */
export const withinRetryWindow = (firstAttemptAt: number, retryAt: number) =>
  retryAt - firstAttemptAt < RETRY_WINDOW_SECONDS * 1000;

/** Whether a subscription failing since `failingSince` has failed long enough to be disabled. */
export const failingTooLong = (failingSince: string | undefined, nowMs: number) =>
  failingSince !== undefined && nowMs - Date.parse(failingSince) >= RETRY_WINDOW_SECONDS * 1000;

// ---- URL rules (server-side request forgery) -------------------------------

/** `public`: AWS (https only, no private, link-local or metadata address). `local`: npm start and tests. */
export type UrlPolicy = 'public' | 'local';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** Names that only mean something inside a network: never in AWS, whatever they resolve to. */
const INTERNAL_NAME = /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa)$/i;
const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'instance-data']);

/** Why a URL may not receive webhooks, or undefined when it may (its host is checked again when it resolves). */
export function webhookUrlProblem(raw: string, policy: UrlPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not a valid absolute URL';
  }
  if (url.username || url.password) return 'credentials in the URL are not allowed';
  if (url.hash) return 'a fragment is not allowed';
  const host = url.hostname.toLowerCase();
  if (policy === 'local' && url.protocol === 'http:' && LOOPBACK_HOSTS.has(host)) return undefined;
  if (url.protocol !== 'https:')
    return policy === 'local'
      ? 'https, or http to 127.0.0.1 or localhost when running locally'
      : 'only https URLs receive webhooks';
  if (policy === 'local') return undefined;
  if (METADATA_NAMES.has(host) || INTERNAL_NAME.test(host) || !host.includes('.'))
    return 'an internal host name is not allowed';
  const literal = host.startsWith('[') ? host.slice(1, -1) : host;
  if (isIpLiteral(literal) && blockedAddress(literal)) return `the address ${literal} is not allowed`;
  return undefined;
}

const isIpLiteral = (host: string) => parseIpv4(host) !== undefined || parseIpv6(host) !== undefined;

function parseIpv4(address: string): number[] | undefined {
  const parts = address.split('.');
  if (parts.length !== 4) return undefined;
  const octets = parts.map((part) => (/^\d{1,3}$/.test(part) ? Number(part) : Number.NaN));
  return octets.every((octet) => octet >= 0 && octet <= 255) ? octets : undefined;
}

/** Eight 16-bit groups, or undefined; an embedded dotted IPv4 tail (::ffff:1.2.3.4) is accepted. */
function parseIpv6(address: string): number[] | undefined {
  let text = address.split('%')[0] ?? '';
  if (!text.includes(':')) return undefined;
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseIpv4(tail);
    if (!v4) return undefined;
    const [a = 0, b = 0, c = 0, d = 0] = v4;
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string) => (part ? part.split(':') : []);
  const head = groupsOf(halves[0] ?? '');
  const rest = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  const explicit = head.length + rest.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return undefined;
  const parse = (group: string) => (/^[0-9a-f]{1,4}$/i.test(group) ? Number.parseInt(group, 16) : Number.NaN);
  const groups = [...head.map(parse), ...Array<number>(8 - explicit).fill(0), ...rest.map(parse)];
  return groups.every((group) => Number.isInteger(group)) ? groups : undefined;
}

const inV4 = (octets: number[], prefix: number[], bits: number) => {
  const value = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const base = prefix.reduce((sum, octet) => sum * 256 + octet, 0);
  const size = 2 ** (32 - bits);
  return Math.floor(value / size) === Math.floor(base / size);
};

/** Not globally routable: loopback, private, carrier-grade NAT, link-local (cloud metadata), documentation, multicast, reserved. */
const BLOCKED_V4: [number[], number][] = [
  [[0, 0, 0, 0], 8],
  [[10, 0, 0, 0], 8],
  [[100, 64, 0, 0], 10],
  [[127, 0, 0, 0], 8],
  [[169, 254, 0, 0], 16], // link-local, incl. 169.254.169.254 (instance metadata)
  [[172, 16, 0, 0], 12],
  [[192, 0, 0, 0], 24],
  [[192, 0, 2, 0], 24],
  [[192, 88, 99, 0], 24],
  [[192, 168, 0, 0], 16],
  [[198, 18, 0, 0], 15],
  [[198, 51, 100, 0], 24],
  [[203, 0, 113, 0], 24],
  [[224, 0, 0, 0], 4],
  [[240, 0, 0, 0], 4],
];

/**
 * Whether a resolved address may never receive a webhook in AWS. IPv6 forms
 * that carry an IPv4 address (mapped, NAT64, 6to4) are judged by it; an
 * unparseable address is blocked.
 */
export function blockedAddress(address: string): boolean {
  const v4 = parseIpv4(address);
  if (v4) return BLOCKED_V4.some(([prefix, bits]) => inV4(v4, prefix, bits));
  const v6 = parseIpv6(address);
  if (!v6) return true;
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = v6;
  const embedded = [g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff];
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0) {
    if (g5 === 0xffff || g5 === 0) {
      // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), :: and ::1
      if (g5 === 0 && g6 === 0 && g7 <= 1) return true;
      return blockedAddress(embedded.join('.'));
    }
  }
  if (g0 === 0x64 && g1 === 0xff9b) return blockedAddress(embedded.join('.')); // NAT64
  if (g0 === 0x2002) return blockedAddress([g1 >> 8, g1 & 0xff, g2 >> 8, g2 & 0xff].join('.')); // 6to4
  if ((g0 & 0xfe00) === 0xfc00) return true; // unique local, incl. fd00:ec2::254 (metadata)
  if ((g0 & 0xffc0) === 0xfe80) return true; // link-local
  if ((g0 & 0xff00) === 0xff00) return true; // multicast
  if (g0 === 0x2001 && g1 === 0x0db8) return true; // documentation
  if (g0 === 0x0100 && g1 === 0 && g2 === 0 && g3 === 0) return true; // discard
  return false;
}
