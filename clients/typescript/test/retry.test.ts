import { describe, expect, it } from 'vitest';
import { backoffDelayMs, isRetryable, retryingFetch } from '../src/retry.js';

const URL_BASE = 'http://api.test';

describe('what is retried', () => {
  it.each([
    ['GET', '/v1/tickets/abc', true],
    ['PUT', '/v1/providers/acme', true],
    ['DELETE', '/v1/webhooks/h1', true],
    ['POST', '/v1/tickets', true],
    ['POST', '/v1/tickets/batch', true],
    ['POST', '/v1/tickets/abc/complete', true],
    ['POST', '/v1/tickets/abc/extend', true],
    ['POST', '/v1/providers/acme/lease', false],
    ['POST', '/v1/tickets/abc/release', false],
    ['POST', '/v1/tickets/abc/reject', false],
    ['POST', '/v1/sources/crm/keys', false],
  ])('%s %s: %s', (method, path, expected) => {
    expect(isRetryable(method, `${URL_BASE}${path}`)).toBe(expected);
  });
});

describe('backoff', () => {
  it('grows exponentially with full jitter, capped, and honours a longer Retry-After', () => {
    const top = (retry: number) => backoffDelayMs(retry, { random: () => 0.999_999 });
    expect([0, 1, 2, 3, 4].map(top)).toStrictEqual([199, 399, 799, 1599, 3199]);
    expect(top(20)).toBe(9999);
    expect(backoffDelayMs(3, { random: () => 0 })).toBe(0);
    expect(backoffDelayMs(0, { random: () => 0.5 }, '3')).toBe(3000);
    expect(backoffDelayMs(0, { random: () => 0.5 }, '60')).toBe(10_000);
  });
});

describe('retryingFetch', () => {
  const scripted = (answers: (number | 'network')[]) => {
    const calls: { method: string; url: string; body: string }[] = [];
    const fake = (async (input: Request) => {
      calls.push({ method: input.method, url: input.url, body: await input.text() });
      const answer = answers[Math.min(calls.length - 1, answers.length - 1)];
      if (answer === 'network') throw new TypeError('fetch failed');
      return new Response('{}', { status: answer, headers: answer === 429 ? { 'retry-after': '0' } : {} });
    }) as typeof fetch;
    return { calls, fake };
  };
  const noWait = { sleep: async () => undefined };

  it('retries ticket intake on 503, 429 and network errors with the same body, until it succeeds', async () => {
    const { calls, fake } = scripted([503, 429, 'network', 202]);
    const response = await retryingFetch(fake, noWait)(`${URL_BASE}/v1/tickets`, {
      method: 'POST',
      body: '{"externalId":"ZD-1"}',
    });
    expect(response.status).toBe(202);
    expect(calls.map((call) => call.body)).toStrictEqual(Array(4).fill('{"externalId":"ZD-1"}'));
  });

  it('gives the last answer after the retries run out', async () => {
    const { calls, fake } = scripted([500]);
    const response = await retryingFetch(fake, { ...noWait, retries: 2 })(`${URL_BASE}/v1/tickets/t1`);
    expect(response.status).toBe(500);
    expect(calls).toHaveLength(3);
  });

  it('never retries a 4xx other than 429, nor a lease', async () => {
    const notFound = scripted([404]);
    expect((await retryingFetch(notFound.fake, noWait)(`${URL_BASE}/v1/tickets/t1`)).status).toBe(404);
    expect(notFound.calls).toHaveLength(1);
    const lease = scripted([503, 200]);
    const leased = await retryingFetch(lease.fake, noWait)(`${URL_BASE}/v1/providers/acme/lease`, {
      method: 'POST',
      body: '{}',
    });
    expect(leased.status).toBe(503);
    expect(lease.calls).toHaveLength(1);
  });
});
