import { describe, expect, it } from 'vitest';
import { signatureOf, verifyWebhookSignature } from '../src/webhooks.js';

// printf '%s' '1700000000.{"id":"T#1","type":"ticket.completed"}' | openssl dgst -sha256 -hmac whsec_docs_example_secret_0001
const SECRET = 'whsec_docs_example_secret_0001';
const BODY = '{"id":"T#1","type":"ticket.completed"}';
const SIGNATURE = 'v1=195c1323a1f087bf6c738e19df44a08737245ceab133b99ec86b925e9e515a9a';
const headers = { 'outroute-timestamp': '1700000000', 'outroute-signature': SIGNATURE };

describe('verifyWebhookSignature', () => {
  it('matches the documented HMAC-SHA256 of "timestamp.body" (openssl vector)', () => {
    expect(signatureOf(SECRET, '1700000000', BODY)).toBe(SIGNATURE);
  });

  it.each([
    ['a valid delivery (Node headers)', {}, true],
    ['a valid delivery (fetch Headers)', { headers: new Headers(headers) }, true],
    ['the raw body as bytes', { body: new TextEncoder().encode(BODY) }, true],
    ['a wrong secret', { secret: 'whsec_someone_else_000000000' }, false],
    ['a body changed by one byte', { body: BODY.replace('T#1', 'T#2') }, false],
    ['a replay ten minutes later', { nowSeconds: 1_700_000_600 }, false],
    ['no signature', { headers: { 'outroute-timestamp': '1700000000' } }, false],
    [
      'a truncated signature',
      { headers: { ...headers, 'outroute-signature': SIGNATURE.slice(0, 20) } },
      false,
    ],
  ])('%s → %s', (_name, change, expected) => {
    expect(
      verifyWebhookSignature({ secret: SECRET, body: BODY, headers, nowSeconds: 1_700_000_030, ...change }),
    ).toBe(expected);
  });
});
