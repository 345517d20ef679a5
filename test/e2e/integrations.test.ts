// The integration kit against a real `npm start`: the typed client and the
// worker kit drive a whole ticket life, and the completed ticket reaches the
// source's webhook, signed; then `outroute worker --exec` works a ticket.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createOutrouteClient,
  createWorker,
  type OutrouteEvent,
  unwrap,
  verifyWebhookSignature,
} from '@outroute/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../infra/local/wait.js';
import { type Platform, startPlatform } from './platform.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
  event: OutrouteEvent;
}

describe('client, worker kit and webhooks against npm start', () => {
  let platform: Platform;
  let receiver: Server;
  let hookUrl = '';
  const deliveries: Delivery[] = [];
  const keys = { source: '', provider: '' };
  let secret = '';

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        deliveries.push({ headers: request.headers, body, event: JSON.parse(body) });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/outroute`;
    platform = await startPlatform();

    const admin = createOutrouteClient({ url: platform.url, key: platform.adminKey });
    unwrap(
      await admin.PUT('/v1/providers/{providerId}', {
        params: { path: { providerId: 'kit-bpo' } },
        body: {
          status: 'active',
          timeZone: 'UTC',
          skills: { billing: 4 },
          capacity: 10,
          throughputPerHour: 30,
          costPerItem: 1,
          qualityScore: 0.9,
          dataClearance: 'confidential',
        },
      }),
    );
    const keyOf = (answer: unknown) => (answer as { apiKey: string }).apiKey;
    keys.source = keyOf(
      unwrap(
        await admin.POST('/v1/sources/{sourceId}/keys', {
          params: { path: { sourceId: 'kit-crm' } },
          body: {},
        }),
      ),
    );
    keys.provider = keyOf(
      unwrap(
        await admin.POST('/v1/providers/{providerId}/keys', {
          params: { path: { providerId: 'kit-bpo' } },
          body: {},
        }),
      ),
    );
    const hook = unwrap(
      await admin.PUT('/v1/webhooks/{webhookId}', {
        params: { path: { webhookId: 'kit-crm-done' } },
        body: { url: hookUrl, events: ['ticket.completed'], sourceId: 'kit-crm', enabled: true },
      }),
    ) as { secret: string };
    secret = hook.secret;
    // The stream consumer reads subscriptions at most once a second.
    await new Promise((resolve) => setTimeout(resolve, 1100));
  }, 180_000);

  afterAll(async () => {
    await platform?.stop();
    receiver?.closeAllConnections();
    await new Promise<void>((resolve) => receiver?.close(() => resolve()));
  });

  const completedDelivery = (ticketId: string) =>
    deliveries.find(
      (delivery) => delivery.event.type === 'ticket.completed' && delivery.event.ticketId === ticketId,
    );

  it('a ticket sent with the client and worked by the worker kit arrives completed at the webhook, signed', async () => {
    const source = createOutrouteClient({ url: platform.url, key: keys.source });
    const created = unwrap(
      await source.POST('/v1/tickets', {
        body: {
          externalId: 'KIT-1',
          kind: 'back_office',
          skill: 'billing',
          priority: 'P2',
          subject: 'Refund',
        },
      }),
    ) as { ticketId: string };
    const handled: string[] = [];
    const worker = createWorker({
      url: platform.url,
      key: keys.provider,
      providerId: 'kit-bpo',
      concurrency: 2,
      stopSignals: [],
      idleBackoffMs: { min: 100, max: 500 },
      handle: async (item) => {
        handled.push(item.ticketId);
        return 'refund issued';
      },
    });
    try {
      await waitUntil(
        async () => {
          if (!completedDelivery(created.ticketId)) throw new Error('no completed event yet');
        },
        60_000,
        200,
      );
    } finally {
      await worker.stop();
    }
    expect(handled).toStrictEqual([created.ticketId]);
    const ticket = unwrap(
      await source.GET('/v1/tickets/{ticketId}', { params: { path: { ticketId: created.ticketId } } }),
    ) as { status: string };
    expect(ticket.status).toBe('completed');
    const delivery = completedDelivery(created.ticketId) as Delivery;
    expect(delivery.event).toMatchObject({
      type: 'ticket.completed',
      sourceId: 'kit-crm',
      providerId: 'kit-bpo',
    });
    expect(delivery.headers['outroute-event-id']).toBe(delivery.event.id);
    expect(verifyWebhookSignature({ secret, body: delivery.body, headers: delivery.headers })).toBe(true);
    expect(
      verifyWebhookSignature({ secret: `${secret}x`, body: delivery.body, headers: delivery.headers }),
    ).toBe(false);
  });

  it('outroute worker --exec runs the command per item with its JSON on stdin, and stops on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outroute-worker-'));
    const script = join(dir, 'handle.sh');
    writeFileSync(script, `#!/bin/sh\ncat > "${dir}/item.json"\necho "handled by script"\n`, { mode: 0o755 });
    const source = createOutrouteClient({ url: platform.url, key: keys.source });
    const created = unwrap(
      await source.POST('/v1/tickets', {
        body: { externalId: 'KIT-2', kind: 'back_office', skill: 'billing', priority: 'P3' },
      }),
    ) as { ticketId: string };
    let output = '';
    const child: ChildProcess = spawn(
      join(root, 'node_modules', '.bin', 'tsx'),
      [
        join(root, 'cli', 'main.ts'),
        '--url',
        platform.url,
        'worker',
        '--provider',
        'kit-bpo',
        '--exec',
        script,
      ],
      { env: { ...process.env, OUTROUTE_PROVIDER_KEY: keys.provider }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitUntil(
        async () => {
          if (!completedDelivery(created.ticketId)) throw new Error(`not completed yet: ${output}`);
        },
        60_000,
        200,
      );
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'item.json'), 'utf8'))).toMatchObject({
      ticketId: created.ticketId,
      skill: 'billing',
      priority: 'P3',
    });
    expect(output).toContain('stopped (1 leased, 1 completed');
    const ticket = unwrap(
      await source.GET('/v1/tickets/{ticketId}', { params: { path: { ticketId: created.ticketId } } }),
    ) as { status: string; resolution?: string };
    expect(ticket.status).toBe('completed');
  });
});
