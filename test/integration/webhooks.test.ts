// Webhooks end to end inside one process: the HTTP API, the table stream
// (process-changes), the routing queue and the FIFO webhook queue polled as
// Lambda's event sources would, delivering to receivers on 127.0.0.1.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUES, WEBHOOK_QUEUE } from '../../infra/resources.js';
import { loadHandler } from '../../infra/local/load-handler.js';
import { type Poller, startQueuePoller } from '../../infra/local/queue-poller.js';
import { startStreamPoller } from '../../infra/local/stream-poller.js';
import { waitUntil } from '../../infra/local/wait.js';
import { provisionWebhookQueue, webhookEnvironment } from '../../infra/local/webhook-queue.js';
import { verifyWebhook } from '../../shared/domain/webhooks.js';
import type { OutEvent } from '../../shared/domain/events.js';
import type { WebhookQueue } from '../../shared/messaging/webhook-queue.js';
import { httpWebhookSender } from '../../shared/messaging/webhook-sender.js';
import { deliverWebhookMessage } from '../../shared/use-cases/deliver-webhook.js';
import { putWebhook } from '../../shared/use-cases/manage-webhooks.js';
import { getStoredWebhook } from '../../shared/store/webhook-store.js';
import { TestClock, testContext } from '../fixtures/context.js';
import { providerInput, ticketInput, uniqueId } from '../fixtures/entities.js';
import { givenKey, startTestApi, type TestApi } from '../fixtures/http.js';
import { receiveAll, sqsClient } from '../fixtures/sqs.js';

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  event: OutEvent;
  answered: number;
}

const sqs = sqsClient();
const webhookQueue = await provisionWebhookQueue(sqs, `wh-${randomUUID().slice(0, 8)}`);
Object.assign(process.env, webhookEnvironment(webhookQueue), { WEBHOOK_RETRY_BASE_SECONDS: '1' });

const ctx = testContext();
let api: TestApi;
let receiver: Server;
let base = '';
const received: Received[] = [];
/** Per path: the statuses to answer in turn (the last one repeats); 200 when none. */
const script: Record<string, number[]> = { '/flaky': [500, 500, 500, 200], '/gone': [410] };
const pollers: Poller[] = [];
const world = { providerId: uniqueId('bpo'), sourceA: uniqueId('crm-a'), sourceB: uniqueId('crm-b') };
const keys = { admin: '', sourceA: '', sourceB: '', provider: '' };
const secrets: Record<string, string> = {};

const at = (path: string) => received.filter((request) => request.path === path);

beforeAll(async () => {
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const path = request.url ?? '';
      const answers = script[path] ?? [200];
      const count = at(path).length;
      const status = answers[Math.min(count, answers.length - 1)] ?? 200;
      received.push({ path, headers: request.headers, body, event: JSON.parse(body), answered: status });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;

  api = await startTestApi();
  keys.admin = (await givenKey(ctx, { role: 'admin' })).apiKey;
  keys.sourceA = (await givenKey(ctx, { role: 'source', sourceId: world.sourceA })).apiKey;
  keys.sourceB = (await givenKey(ctx, { role: 'source', sourceId: world.sourceB })).apiKey;
  keys.provider = (await givenKey(ctx, { role: 'provider', providerId: world.providerId })).apiKey;
  const provider = await api.call('PUT', `/v1/providers/${world.providerId}`, {
    key: keys.admin,
    body: { ...providerInput({ timeZone: 'UTC' }), businessHours: undefined },
  });
  expect(provider.status).toBe(200);

  const subscribe = async (id: string, body: Record<string, unknown>, key = keys.admin) => {
    const answer = await api.call('PUT', `/v1/webhooks/${id}`, { key, body });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    secrets[id] = answer.body.secret;
  };
  await subscribe('hook-a', { url: `${base}/a`, events: ['*'], sourceId: world.sourceA });
  await subscribe('hook-b', { url: `${base}/b`, events: ['*'], sourceId: world.sourceB });
  await subscribe('hook-flaky', {
    url: `${base}/flaky`,
    events: ['ticket.received'],
    sourceId: world.sourceA,
  });
  await subscribe('hook-gone', { url: `${base}/gone`, events: ['ticket.received'], sourceId: world.sourceA });
  await subscribe('hook-provider', { url: `${base}/p`, events: ['ticket.completed'] }, keys.provider);
  // The stream consumer reads subscriptions at most once a second.
  await new Promise((resolve) => setTimeout(resolve, 1100));

  const onError = (error: unknown) => console.error('[webhooks test]', error);
  const arn = 'arn:aws:sqs:us-east-1:000000000000:test';
  pollers.push(
    startStreamPoller({
      streams: new DynamoDBStreamsClient({}),
      streamArn: process.env.OUTROUTE_TEST_STREAM_ARN ?? '',
      functionName: 'process-changes',
      handler: () => loadHandler('stream/process-changes'),
      pollMs: 100,
      onError,
    }),
    startQueuePoller({
      sqs,
      queueUrl: process.env.ROUTING_QUEUE_URL ?? '',
      queueArn: arn,
      functionName: 'route-tickets',
      handler: () => loadHandler('queue/route-tickets'),
      definition: QUEUES.routing,
      concurrency: 1,
      onError,
    }),
    startQueuePoller({
      sqs,
      queueUrl: webhookQueue.url,
      queueArn: webhookQueue.arn,
      functionName: 'deliver-webhooks',
      handler: () => loadHandler('queue/deliver-webhooks'),
      definition: WEBHOOK_QUEUE,
      concurrency: 2,
      onError,
    }),
  );
});

afterAll(async () => {
  await Promise.allSettled(pollers.map((poller) => poller.stop()));
  await api?.stop();
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

/** Creates a ticket as the source, then leases and completes it as the provider. */
async function ticketLife(sourceKey: string): Promise<string> {
  const created = await api.call('POST', '/v1/tickets', { key: sourceKey, body: ticketInput() });
  expect(created.status).toBe(202);
  const ticketId = created.body.ticketId as string;
  let leaseToken = '';
  await waitUntil(
    async () => {
      const lease = await api.call('POST', `/v1/providers/${world.providerId}/lease`, {
        key: keys.provider,
        body: { max: 1 },
      });
      const item = lease.body.items?.find(
        (candidate: { ticketId: string }) => candidate.ticketId === ticketId,
      );
      if (!item) throw new Error('not leased yet');
      leaseToken = item.leaseToken;
    },
    30_000,
    100,
  );
  const completed = await api.call('POST', `/v1/tickets/${ticketId}/complete`, {
    key: keys.provider,
    body: { leaseToken },
  });
  expect(completed.status).toBe(200);
  return ticketId;
}

describe('webhook delivery', () => {
  let ticketA = '';
  let ticketB = '';

  beforeAll(async () => {
    ticketA = await ticketLife(keys.sourceA);
    ticketB = await ticketLife(keys.sourceB);
    await waitUntil(
      async () => {
        const completedAt = (path: string, ticketId: string) =>
          at(path).some(({ event }) => event.type === 'ticket.completed' && event.ticketId === ticketId);
        if (!completedAt('/a', ticketA) || !completedAt('/b', ticketB)) throw new Error('not yet completed');
        if (!at('/flaky').some((request) => request.answered === 200)) throw new Error('flaky not through');
        if (at('/p').length < 2) throw new Error('provider hook not yet');
      },
      60_000,
      200,
    );
  }, 120_000);

  it("delivers each of a ticket's events once per subscription, in the order they happened, signed", () => {
    const events = at('/a').map((request) => request.event);
    expect(events.every((event) => event.ticketId === ticketA)).toBe(true);
    const ids = events.map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
    const sequence = ids.map((id) => Number(id.split('#')[1]));
    expect(sequence).toStrictEqual([...sequence].sort((a, b) => a - b));
    expect(events.map((event) => event.type)).toEqual(
      expect.arrayContaining(['ticket.received', 'ticket.queued', 'ticket.leased', 'ticket.completed']),
    );
    expect(events.at(-1)?.type).toBe('ticket.completed');
    for (const request of at('/a')) {
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['outroute-event-id']).toBe(request.event.id);
      expect(
        verifyWebhook({
          secret: secrets['hook-a'] as string,
          body: request.body,
          timestamp: request.headers['outroute-timestamp'] as string,
          signature: request.headers['outroute-signature'] as string,
          nowSeconds: Math.floor(Date.now() / 1000),
        }),
      ).toBe(true);
    }
  });

  it("keeps sources apart: B never receives A's events, nor A B's", () => {
    expect(at('/b').length).toBeGreaterThan(0);
    expect(at('/b').every((request) => request.event.ticketId === ticketB)).toBe(true);
    expect(at('/a').some((request) => request.event.ticketId === ticketB)).toBe(false);
  });

  it("gives a provider-scoped subscription the events of its provider's tickets, of the types it chose", () => {
    const events = at('/p').map((request) => request.event);
    expect(events.map((event) => event.type)).toStrictEqual(['ticket.completed', 'ticket.completed']);
    expect(events.map((event) => event.ticketId).sort()).toStrictEqual([ticketA, ticketB].sort());
  });

  it('retries a receiver that answers 500 three times and delivers on the fourth try', async () => {
    const attempts = at('/flaky');
    expect(attempts.map((request) => request.answered)).toStrictEqual([500, 500, 500, 200]);
    expect(new Set(attempts.map((request) => request.headers['outroute-event-id'])).size).toBe(1);
    const deliveries = await api.call('GET', '/v1/webhooks/hook-flaky/deliveries', { key: keys.admin });
    expect(deliveries.status).toBe(200);
    const oldestFirst = [...deliveries.body.items].reverse();
    expect(oldestFirst.map((item: { status: number }) => item.status)).toStrictEqual([500, 500, 500, 200]);
    expect(oldestFirst.map((item: { attempt: number }) => item.attempt)).toStrictEqual([1, 2, 3, 4]);
    expect(oldestFirst.map((item: { outcome: string }) => item.outcome)).toStrictEqual([
      'retrying',
      'retrying',
      'retrying',
      'delivered',
    ]);
    for (const item of oldestFirst) expect(item.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('stops at a 410: one attempt, recorded, and the event kept on the DLQ', async () => {
    // Longer than the first backoffs: a retry would have come by now.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(at('/gone').map((request) => request.answered)).toStrictEqual([410]);
    const deliveries = await api.call('GET', '/v1/webhooks/hook-gone/deliveries', { key: keys.admin });
    expect(deliveries.body.items).toMatchObject([{ status: 410, outcome: 'failed', attempt: 1 }]);
    const dead = await receiveAll(sqs, webhookQueue.dlqUrl);
    const gone = dead.find((message) => JSON.parse(message.Body ?? '{}').webhookId === 'hook-gone');
    expect(gone?.MessageAttributes?.errorCode?.StringValue).toBe('refused');
  });
});

describe('webhook subscriptions', () => {
  it('shows a generated secret once, never in reads or lists', async () => {
    const read = await api.call('GET', '/v1/webhooks/hook-a', { key: keys.admin });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ webhookId: 'hook-a', url: `${base}/a`, sourceId: world.sourceA });
    expect(read.body.secret).toBeUndefined();
    expect(secrets['hook-a']).toMatch(/^whsec_/);
    const list = await api.call('GET', '/v1/webhooks', { key: keys.admin });
    expect(list.body.items.map((item: { webhookId: string }) => item.webhookId)).toEqual(
      expect.arrayContaining(['hook-a', 'hook-b', 'hook-provider']),
    );
    expect(JSON.stringify(list.body)).not.toContain('whsec_');
    const replaced = await api.call('PUT', '/v1/webhooks/hook-a', {
      key: keys.admin,
      body: { url: `${base}/a`, events: ['*'], sourceId: world.sourceA },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.secret).toBeUndefined();
    expect((await getStoredWebhook(ctx.table, 'hook-a'))?.secret).toBe(secrets['hook-a']);
  });

  it("lets a provider key manage only its own provider's subscriptions", async () => {
    const list = await api.call('GET', '/v1/webhooks', { key: keys.provider });
    expect(list.body.items.map((item: { webhookId: string }) => item.webhookId)).toStrictEqual([
      'hook-provider',
    ]);
    expect(list.body.items[0].providerId).toBe(world.providerId);
    expect((await api.call('GET', '/v1/webhooks/hook-a', { key: keys.provider })).status).toBe(404);
    expect((await api.call('DELETE', '/v1/webhooks/hook-a', { key: keys.provider })).status).toBe(404);
    const foreign = await api.call('PUT', '/v1/webhooks/hook-a', {
      key: keys.provider,
      body: { url: `${base}/steal`, events: ['*'] },
    });
    expect(foreign.status).toBe(403);
    const otherScope = await api.call('PUT', '/v1/webhooks/p-other', {
      key: keys.provider,
      body: { url: `${base}/x`, events: ['*'], sourceId: world.sourceA },
    });
    expect(otherScope.status).toBe(403);
  });

  it('refuses URLs outside the rules with a 400 naming the url', async () => {
    for (const url of ['http://example.com/hook', 'ftp://127.0.0.1/', 'not a url']) {
      const answer = await api.call('PUT', '/v1/webhooks/bad-url', {
        key: keys.admin,
        body: { url, events: ['*'] },
      });
      expect(answer.status, url).toBe(400);
      expect(answer.body.error.details[0].path).toBe('url');
    }
  });

  it('sends a signed ping on test and reports the answer', async () => {
    const answer = await api.call('POST', '/v1/webhooks/hook-b/test', { key: keys.admin });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ eventType: 'ping', status: 200, outcome: 'delivered' });
    const ping = at('/b').find((request) => request.event.type === 'ping');
    expect(ping?.event.id).toBe(answer.body.eventId);
    expect(
      verifyWebhook({
        secret: secrets['hook-b'] as string,
        body: ping?.body ?? '',
        timestamp: ping?.headers['outroute-timestamp'] as string,
        signature: ping?.headers['outroute-signature'] as string,
        nowSeconds: Math.floor(Date.now() / 1000),
      }),
    ).toBe(true);
  });

  it('disables a subscription that has failed for a day, with webhook.disabled out and the event on the DLQ', async () => {
    const clock = new TestClock(Date.now());
    const clocked = { ...ctx, now: clock.now };
    const { webhook } = await putWebhook(
      clocked,
      { role: 'admin' },
      'hook-down',
      { url: `${base}/down`, events: ['*'], enabled: true },
      'local',
    );
    script['/down'] = [503];
    const calls: string[] = [];
    const queue: WebhookQueue = {
      enqueue: async () => undefined,
      retryLater: async (_receipt, seconds) => void calls.push(`retry ${seconds}`),
      deadLetter: async (_message, code) => void calls.push(`dead ${code}`),
    };
    const published: OutEvent[] = [];
    const deps = {
      queue,
      sender: httpWebhookSender({ policy: 'local' }),
      events: { publish: async (events: OutEvent[]) => void published.push(...events) },
      retryBaseSeconds: 30,
      random: () => 0.5,
    };
    const message = (n: number) => ({
      webhookId: webhook.webhookId,
      event: { id: `E#${n}`, type: 'ticket.queued', at: new Date(clock.now()).toISOString() },
      enqueuedAt: clock.now(),
    });
    const first = await deliverWebhookMessage(clocked, deps, message(1), {
      receiptHandle: 'r',
      receiveCount: 1,
    });
    expect(first.kind).toBe('retry');
    clock.advance(23 * 3600);
    await deliverWebhookMessage(clocked, deps, message(2), { receiptHandle: 'r', receiveCount: 1 });
    expect((await getStoredWebhook(ctx.table, 'hook-down'))?.enabled).toBe(true);
    clock.advance(3600);
    const last = await deliverWebhookMessage(clocked, deps, message(3), {
      receiptHandle: 'r',
      receiveCount: 1,
    });
    expect(last).toStrictEqual({ kind: 'done', delivered: false });
    const stored = await getStoredWebhook(ctx.table, 'hook-down');
    expect(stored).toMatchObject({ enabled: false, disabledReason: 'failing_for_a_day' });
    expect(published).toMatchObject([{ type: 'webhook.disabled', webhookId: 'hook-down' }]);
    expect(calls.at(-1)).toBe('dead webhook_disabled');
    // Disabled: the next message goes to the DLQ without a request.
    const before = at('/down').length;
    await deliverWebhookMessage(clocked, deps, message(4), { receiptHandle: 'r', receiveCount: 1 });
    expect(at('/down').length).toBe(before);
    expect(calls.at(-1)).toBe('dead webhook_disabled');
  });
});
