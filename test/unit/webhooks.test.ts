import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blockedAddress,
  classifyDelivery,
  retryDelaySeconds,
  RETRY_CAP_SECONDS,
  RETRY_WINDOW_SECONDS,
  signWebhook,
  verifyWebhook,
  webhookHeaders,
  webhookMatches,
  webhookUrlProblem,
} from '../../shared/domain/webhooks.js';
import { httpWebhookSender, pinnedAddress, type Resolver } from '../../shared/messaging/webhook-sender.js';

const SECRET = 'whsec_test_secret_0123456789';

describe('signing and verification', () => {
  it('signs "timestamp.body" with HMAC-SHA256 as v1=<hex> (a known vector)', () => {
    // printf '%s' '1700000000.{"id":"e1"}' | openssl dgst -sha256 -hmac whsec_test_secret_0123456789
    expect(signWebhook(SECRET, 1_700_000_000, '{"id":"e1"}')).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(signWebhook(SECRET, 1_700_000_000, '{"id":"e1"}')).toBe(
      signWebhook(SECRET, 1_700_000_000, '{"id":"e1"}'),
    );
    expect(signWebhook(SECRET, 1_700_000_001, '{"id":"e1"}')).not.toBe(
      signWebhook(SECRET, 1_700_000_000, '{"id":"e1"}'),
    );
  });

  it('sends the event id, timestamp and signature headers', () => {
    const headers = webhookHeaders(SECRET, 'T#1', 1_700_000_000, '{}');
    expect(headers).toMatchObject({
      'content-type': 'application/json',
      'Outroute-Event-Id': 'T#1',
      'Outroute-Timestamp': '1700000000',
      'Outroute-Signature': signWebhook(SECRET, 1_700_000_000, '{}'),
    });
  });

  const body = '{"id":"T#2","type":"ticket.completed"}';
  const timestamp = '1700000000';
  const signature = signWebhook(SECRET, 1_700_000_000, body);
  it.each([
    ['a valid delivery', { signature }, true],
    ['one of several signatures', { signature: `v1=deadbeef, ${signature}` }, true],
    ['another secret', { secret: 'whsec_other_secret_012345' }, false],
    ['a changed body', { body: `${body} ` }, false],
    ['a changed timestamp', { timestamp: '1700000001' }, false],
    ['a timestamp too old', { nowSeconds: 1_700_000_301 }, false],
    ['a missing signature', { signature: null }, false],
    ['a malformed timestamp', { timestamp: '17e8' }, false],
  ])('verification accepts or refuses %s', (_name, change, expected) => {
    expect(
      verifyWebhook({ secret: SECRET, body, timestamp, signature, nowSeconds: 1_700_000_010, ...change }),
    ).toBe(expected);
  });
});

describe('backoff schedule', () => {
  it('doubles from the base with jitter in the upper half, capped', () => {
    for (let attempt = 1; attempt <= 20; attempt += 1) {
      const full = Math.min(RETRY_CAP_SECONDS, 30 * 2 ** (attempt - 1));
      expect(retryDelaySeconds(attempt, 0)).toBe(Math.max(1, Math.round(full / 2)));
      expect(retryDelaySeconds(attempt, 0.999_999)).toBe(Math.round(full));
    }
  });

  it('spreads receivers that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, (_, index) => retryDelaySeconds(6, index / 50)));
    expect(delays.size).toBeGreaterThan(40);
  });

  it('keeps trying for about a day in some 12 to 26 attempts', () => {
    for (const random of [0, 0.5, 0.999]) {
      let elapsed = 0;
      let attempts = 1;
      while (elapsed + retryDelaySeconds(attempts, random) < RETRY_WINDOW_SECONDS) {
        elapsed += retryDelaySeconds(attempts, random);
        attempts += 1;
      }
      expect(attempts).toBeGreaterThanOrEqual(12);
      expect(attempts).toBeLessThanOrEqual(26);
      expect(elapsed).toBeGreaterThan(RETRY_WINDOW_SECONDS - RETRY_CAP_SECONDS);
    }
  });

  it.each([
    [200, 'delivered'],
    [204, 'delivered'],
    [429, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
    [undefined, 'retry'],
    [400, 'give_up'],
    [404, 'give_up'],
    [410, 'give_up'],
    [301, 'give_up'],
  ])('treats HTTP %s as %s', (status, outcome) => {
    expect(classifyDelivery(status)).toBe(outcome);
  });
});

describe('matching', () => {
  const event = {
    id: 'T#3',
    type: 'ticket.completed',
    at: '',
    ticketId: 'T',
    sourceId: 'crm',
    providerId: 'acme',
  };
  const base = { enabled: true, events: ['*'] };
  it.each([
    ['every event', base, true],
    ['its type', { ...base, events: ['ticket.completed'] }, true],
    ['another type', { ...base, events: ['ticket.queued'] }, false],
    ['disabled', { ...base, enabled: false }, false],
    ['its source', { ...base, sourceId: 'crm' }, true],
    ['another source', { ...base, sourceId: 'erp' }, false],
    ['its provider', { ...base, providerId: 'acme' }, true],
    ['another provider', { ...base, providerId: 'other' }, false],
  ])('a subscription to %s matches: %s', (_name, webhook, expected) => {
    expect(webhookMatches(webhook, event)).toBe(expected);
  });

  it("judges a provider scope by the ticket's provider when the event names none", () => {
    const received = { id: 'T#1', type: 'ticket.received', at: '', ticketId: 'T', sourceId: 'crm' };
    expect(webhookMatches({ ...base, providerId: 'acme' }, received, 'acme')).toBe(true);
    expect(webhookMatches({ ...base, providerId: 'acme' }, received, undefined)).toBe(false);
  });
});

describe('URL rules', () => {
  it.each([
    ['https://hooks.example.com/outroute', 'public', undefined],
    ['http://hooks.example.com/outroute', 'public', 'only https'],
    ['http://127.0.0.1:8080/hook', 'public', 'only https'],
    ['https://127.0.0.1/hook', 'public', 'not allowed'],
    ['https://10.1.2.3/hook', 'public', 'not allowed'],
    ['https://192.168.1.10/hook', 'public', 'not allowed'],
    ['https://172.20.0.1/hook', 'public', 'not allowed'],
    ['https://169.254.169.254/latest/meta-data/', 'public', 'not allowed'],
    ['https://[fd00:ec2::254]/latest/meta-data/', 'public', 'not allowed'],
    ['https://[::ffff:169.254.169.254]/', 'public', 'not allowed'],
    ['https://[fe80::1]/', 'public', 'not allowed'],
    ['https://metadata.google.internal/', 'public', 'internal host'],
    ['https://localhost/hook', 'public', 'internal host'],
    ['https://intranet/hook', 'public', 'internal host'],
    ['https://user:pass@hooks.example.com/', 'public', 'credentials'],
    ['ftp://hooks.example.com/', 'public', 'only https'],
    ['not a url', 'public', 'not a valid'],
    ['http://127.0.0.1:8080/hook', 'local', undefined],
    ['http://localhost:8080/hook', 'local', undefined],
    ['http://[::1]:8080/hook', 'local', undefined],
    ['https://hooks.example.com/', 'local', undefined],
    ['http://hooks.example.com/', 'local', 'https, or http to 127.0.0.1'],
    ['http://10.0.0.5/', 'local', 'https, or http to 127.0.0.1'],
  ] as const)('%s under the %s policy: %s', (url, policy, problem) => {
    const found = webhookUrlProblem(url, policy);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });

  it.each([
    ['0.0.0.0', true],
    ['10.0.0.1', true],
    ['100.64.0.1', true],
    ['127.0.0.1', true],
    ['169.254.169.254', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['192.168.0.1', true],
    ['224.0.0.1', true],
    ['255.255.255.255', true],
    ['::', true],
    ['::1', true],
    ['fc00::1', true],
    ['fd00:ec2::254', true],
    ['fe80::abcd', true],
    ['ff02::1', true],
    ['::ffff:10.0.0.1', true],
    ['::ffff:a9fe:a9fe', true],
    ['64:ff9b::a9fe:a9fe', true],
    ['2002:a9fe:a9fe::1', true],
    ['not-an-address', true],
    ['8.8.8.8', false],
    ['172.32.0.1', false],
    ['93.184.216.34', false],
    ['2606:4700:4700::1111', false],
    ['::ffff:8.8.8.8', false],
  ])('%s is blocked in AWS: %s', (address, blocked) => {
    expect(blockedAddress(address)).toBe(blocked);
  });
});

describe('DNS checks and pinning', () => {
  const resolverOf = (...answers: string[][]): Resolver & { calls: number } => {
    const resolver = Object.assign(
      async () => {
        const answer = answers[Math.min(resolver.calls, answers.length - 1)] ?? [];
        resolver.calls += 1;
        return answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }) as const);
      },
      { calls: 0 },
    );
    return resolver;
  };

  it('refuses a name when any of its addresses is private, link-local or metadata', async () => {
    for (const bad of ['10.0.0.7', '169.254.169.254', 'fd00:ec2::254', '127.0.0.1']) {
      await expect(
        pinnedAddress(new URL('https://hooks.example.com/'), 'public', resolverOf(['93.184.216.34', bad])),
      ).rejects.toThrow(/not allowed/);
    }
    await expect(
      pinnedAddress(new URL('https://hooks.example.com/'), 'public', resolverOf(['93.184.216.34'])),
    ).resolves.toEqual({ address: '93.184.216.34', family: 4 });
  });

  it('does not send when the name resolves to a metadata address', async () => {
    const sender = httpWebhookSender({ policy: 'public', resolve: resolverOf(['169.254.169.254']) });
    const result = await sender.send('https://rebind.example.com/hook', '{}', {});
    expect(result.status).toBeUndefined();
    expect(result.error).toMatch(/169\.254\.169\.254.*not allowed/);
  });

  describe('against a receiver on 127.0.0.1', () => {
    let server: Server;
    let port = 0;
    const received: IncomingMessage[] = [];
    beforeAll(async () => {
      server = createServer((request, response) => {
        received.push(request);
        request.resume();
        request.on('end', () => response.writeHead(204).end());
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('connects to the address it checked, however the name resolves afterwards (DNS rebinding)', async () => {
      // First answer: the one address the rule allows; every later answer: the metadata address.
      const resolver = resolverOf(['127.0.0.1'], ['169.254.169.254']);
      const sender = httpWebhookSender({
        policy: 'local',
        resolve: resolver,
        isBlocked: (address) => address !== '127.0.0.1',
      });
      const result = await sender.send(`http://localhost:${port}/hook`, '{"id":"e"}', { 'x-test': 'pinned' });
      expect(result).toMatchObject({ status: 204 });
      expect(resolver.calls).toBe(1);
      expect(received.at(-1)?.headers['x-test']).toBe('pinned');
    });

    it('refuses a name whose answers mix the allowed address with a forbidden one', async () => {
      const sender = httpWebhookSender({
        policy: 'local',
        resolve: resolverOf(['127.0.0.1', '169.254.169.254']),
        isBlocked: (address) => address !== '127.0.0.1',
      });
      const before = received.length;
      const result = await sender.send(`http://localhost:${port}/hook`, '{}', {});
      expect(result.error).toMatch(/169\.254\.169\.254/);
      expect(received.length).toBe(before);
    });

    it('gives up on a receiver that does not answer within the timeout', async () => {
      const silent = createServer(() => undefined);
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const silentPort = (silent.address() as { port: number }).port;
      const result = await httpWebhookSender({ policy: 'local', timeoutMs: 300 }).send(
        `http://127.0.0.1:${silentPort}/`,
        '{}',
        {},
      );
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
      expect(result.status).toBeUndefined();
      expect(result.error).toMatch(/no answer within 300 ms/);
    });
  });
});
