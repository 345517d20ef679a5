import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorker, RejectError, type WorkItem } from '../src/worker.js';

/** A provider API in memory: a queue of items, leases, and every call made. */
async function fakeApi(itemCount: number) {
  const queue: WorkItem[] = Array.from({ length: itemCount }, (_, index) => ({
    ticketId: `t${index}`,
    leaseToken: `lease-${index}`,
    leaseExpiresAt: '',
    dueAt: '',
    priority: 'P2',
    skill: 'billing',
    kind: 'back_office',
  }));
  const calls: { path: string; body: Record<string, unknown> }[] = [];
  const server: Server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => (raw += chunk));
    request.on('end', () => {
      const body = raw ? JSON.parse(raw) : {};
      calls.push({ path: request.url ?? '', body });
      response.setHeader('content-type', 'application/json');
      if (request.url?.endsWith('/lease')) {
        const items = queue.splice(0, body.max as number);
        return response.end(JSON.stringify({ items }));
      }
      response.end(JSON.stringify({ ok: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const of = (suffix: string) => calls.filter((call) => call.path.endsWith(suffix));
  return { url, calls, of, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const waitFor = async (check: () => boolean, timeoutMs = 10_000) => {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.map((step) => step()));
  cleanup = [];
});

describe('createWorker', () => {
  it('completes what handle finishes, rejects on RejectError, releases on other errors', async () => {
    const api = await fakeApi(3);
    cleanup.push(api.close);
    const worker = createWorker({
      url: api.url,
      key: 'k',
      providerId: 'acme',
      concurrency: 2,
      stopSignals: [],
      onError: () => undefined,
      idleBackoffMs: { min: 10, max: 20 },
      handle: async (item) => {
        if (item.ticketId === 't1') throw new RejectError('not our kind of work');
        if (item.ticketId === 't2') throw new Error('tool crashed');
        return 'refunded';
      },
    });
    await waitFor(() => worker.stats.completed + worker.stats.rejected + worker.stats.released === 3);
    await worker.stop();
    expect(api.of('/t0/complete')).toMatchObject([
      { body: { leaseToken: 'lease-0', resolution: 'refunded' } },
    ]);
    expect(api.of('/t1/reject')).toMatchObject([
      { body: { leaseToken: 'lease-1', reason: 'not our kind of work' } },
    ]);
    expect(api.of('/t2/release')).toMatchObject([
      { body: { leaseToken: 'lease-2', reason: 'tool crashed' } },
    ]);
    expect(api.of('/lease').every((call) => (call.body.max as number) <= 2)).toBe(true);
  });

  it('extends the lease while handle runs', async () => {
    const api = await fakeApi(1);
    cleanup.push(api.close);
    let finish: () => void = () => undefined;
    const worker = createWorker({
      url: api.url,
      key: 'k',
      providerId: 'acme',
      stopSignals: [],
      extendEveryMs: 20,
      idleBackoffMs: { min: 10, max: 20 },
      handle: () => new Promise<void>((resolve) => (finish = resolve)),
    });
    await waitFor(() => api.of('/t0/extend').length >= 3);
    finish();
    await waitFor(() => worker.stats.completed === 1);
    const extends_ = api.of('/t0/extend').length;
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(api.of('/t0/extend').length).toBe(extends_);
    expect(api.of('/t0/extend')[0]?.body).toMatchObject({ leaseToken: 'lease-0', leaseSeconds: 300 });
    await worker.stop();
  });

  it('backs off while the queue is empty, doubling up to the maximum', async () => {
    const api = await fakeApi(0);
    cleanup.push(api.close);
    const worker = createWorker({
      url: api.url,
      key: 'k',
      providerId: 'acme',
      stopSignals: [],
      idleBackoffMs: { min: 20, max: 80 },
      handle: async () => undefined,
    });
    await waitFor(() => api.of('/lease').length >= 6);
    await worker.stop();
    // 20 + 40 + 80 + 80 + 80 ms between six leases: far fewer calls than a busy loop would make.
    expect(api.of('/lease').length).toBeLessThan(20);
  });

  it('on stop, lets a running item finish and complete it, then leases no more', async () => {
    const api = await fakeApi(5);
    cleanup.push(api.close);
    let started = false;
    const worker = createWorker({
      url: api.url,
      key: 'k',
      providerId: 'acme',
      stopSignals: [],
      handle: async () => {
        started = true;
        await new Promise((resolve) => setTimeout(resolve, 100));
      },
    });
    await waitFor(() => started);
    await worker.stop();
    expect(worker.stats).toMatchObject({ leased: 1, completed: 1 });
    expect(api.of('/lease')).toHaveLength(1);
  });

  it('releases what is still running when the grace period ends', async () => {
    const api = await fakeApi(1);
    cleanup.push(api.close);
    let started = false;
    const worker = createWorker({
      url: api.url,
      key: 'k',
      providerId: 'acme',
      stopSignals: [],
      gracePeriodMs: 50,
      onError: () => undefined,
      handle: (_item, { signal }) =>
        new Promise<void>((_resolve, reject) => {
          started = true;
          signal.addEventListener('abort', () => reject(signal.reason));
        }),
    });
    await waitFor(() => started);
    await worker.stop();
    expect(api.of('/t0/release')).toMatchObject([
      { body: { leaseToken: 'lease-0', reason: 'worker stopping' } },
    ]);
    expect(worker.stats.released).toBe(1);
  });

  it('stops on SIGTERM', async () => {
    const api = await fakeApi(0);
    cleanup.push(api.close);
    const worker = createWorker({
      url: api.url,
      key: 'k',
      providerId: 'acme',
      stopSignals: ['SIGUSR2'],
      idleBackoffMs: { min: 10, max: 10 },
      handle: async () => undefined,
    });
    await waitFor(() => api.of('/lease').length >= 1);
    process.emit('SIGUSR2', 'SIGUSR2');
    await worker.done;
    const leases = api.of('/lease').length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(api.of('/lease').length).toBe(leases);
  });
});
