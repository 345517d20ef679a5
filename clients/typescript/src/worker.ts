// The provider worker kit: lease up to `concurrency` items, keep each lease
// alive while `handle` runs, complete on success, reject on a RejectError,
// release on any other error; back off while the queue is empty; on SIGTERM
// stop leasing, let running items finish (or release them after the grace
// period), then resolve `done`.
import { createOutrouteClient, type OutrouteClient, type OutrouteClientOptions, unwrap } from './client.js';

/** One leased item, as POST /v1/providers/{providerId}/lease answers it. */
export interface WorkItem {
  ticketId: string;
  leaseToken: string;
  leaseExpiresAt: string;
  dueAt: string;
  priority: string;
  skill: string;
  kind: string;
  language?: string;
  subject?: string;
  payload?: unknown;
}

/** Throw this from `handle` to reject the item: it is routed elsewhere, never to this provider again. */
export class RejectError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RejectError';
  }
}

export interface WorkerOptions extends Omit<OutrouteClientOptions, 'key'> {
  /** A key of this provider (or an admin key). */
  key: string;
  providerId: string;
  /** Items worked at once (default 1, at most 50). */
  concurrency?: number;
  /**
   * Works one item. Resolve (optionally with a resolution text) to complete it;
   * throw a RejectError to reject it; throw anything else to release it.
   * `signal` aborts when the worker stops and the grace period is over.
   */
  handle: (item: WorkItem, context: { signal: AbortSignal }) => Promise<string | void>;
  /** Lease length asked for, and renewed at a third of it while `handle` runs (default 300 s). */
  leaseSeconds?: number;
  /** Waits while the queue is empty: from min, doubling, up to max (default 500 ms to 30 s). */
  idleBackoffMs?: { min: number; max: number };
  /** How long a stopping worker lets running items finish before releasing them (default 30 s). */
  gracePeriodMs?: number;
  /** Stop on these signals (default SIGTERM and SIGINT); [] to handle signals yourself. */
  stopSignals?: NodeJS.Signals[];
  onError?: (error: unknown, item?: WorkItem) => void;
  client?: OutrouteClient;
  /** How often a running item's lease is extended (default: a third of leaseSeconds). */
  extendEveryMs?: number;
}

export interface WorkerStats {
  leased: number;
  completed: number;
  released: number;
  rejected: number;
  extended: number;
}

export interface Worker {
  /** Stops leasing; resolves when every held item is completed, rejected or released. */
  stop(): Promise<void>;
  /** Resolves when the worker has stopped. */
  done: Promise<void>;
  stats: WorkerStats;
}

export function createWorker(options: WorkerOptions): Worker {
  const client = options.client ?? createOutrouteClient(options);
  const concurrency = Math.min(50, Math.max(1, options.concurrency ?? 1));
  const leaseSeconds = Math.min(3600, Math.max(30, options.leaseSeconds ?? 300));
  const idle = options.idleBackoffMs ?? { min: 500, max: 30_000 };
  const grace = options.gracePeriodMs ?? 30_000;
  const onError = options.onError ?? ((error: unknown) => console.error('[outroute worker]', error));
  const stats: WorkerStats = { leased: 0, completed: 0, released: 0, rejected: 0, extended: 0 };
  const running = new Set<Promise<void>>();
  const abortWork = new AbortController();
  let stopping = false;
  let wake: (() => void) | undefined;
  let stopped: () => void = () => undefined;
  const stopRequested = new Promise<void>((resolve) => (stopped = resolve));

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const lease = async (max: number): Promise<WorkItem[]> => {
    const answer = unwrap(
      await client.POST('/v1/providers/{providerId}/lease', {
        params: { path: { providerId: options.providerId } },
        body: { max, leaseSeconds },
      }),
    ) as { items: WorkItem[] };
    return answer.items;
  };

  async function work(item: WorkItem): Promise<void> {
    const ticket = { params: { path: { ticketId: item.ticketId } } };
    const keepAlive = setInterval(
      () => {
        client
          .POST('/v1/tickets/{ticketId}/extend', {
            ...ticket,
            body: { leaseToken: item.leaseToken, leaseSeconds },
          })
          .then((answer) => {
            unwrap(answer);
            stats.extended += 1;
          })
          .catch((error) => onError(error, item));
      },
      options.extendEveryMs ?? (leaseSeconds * 1000) / 3,
    );
    try {
      const resolution = await options.handle(item, { signal: abortWork.signal });
      clearInterval(keepAlive);
      unwrap(
        await client.POST('/v1/tickets/{ticketId}/complete', {
          ...ticket,
          body: { leaseToken: item.leaseToken, ...(typeof resolution === 'string' ? { resolution } : {}) },
        }),
      );
      stats.completed += 1;
    } catch (error) {
      clearInterval(keepAlive);
      const reason = (error instanceof Error ? error.message : String(error)).slice(0, 2000) || 'failed';
      try {
        if (error instanceof RejectError) {
          unwrap(
            await client.POST('/v1/tickets/{ticketId}/reject', {
              ...ticket,
              body: { leaseToken: item.leaseToken, reason },
            }),
          );
          stats.rejected += 1;
        } else {
          onError(error, item);
          unwrap(
            await client.POST('/v1/tickets/{ticketId}/release', {
              ...ticket,
              body: { leaseToken: item.leaseToken, reason },
            }),
          );
          stats.released += 1;
        }
      } catch (settleError) {
        // The lease expires on its own and the ticket goes back to routing.
        onError(settleError, item);
      }
    }
  }

  async function loop(): Promise<void> {
    let idleMs = idle.min;
    while (!stopping) {
      const free = concurrency - running.size;
      if (free <= 0) {
        await Promise.race([...running, stopRequested]);
        continue;
      }
      let items: WorkItem[] = [];
      try {
        items = await lease(free);
      } catch (error) {
        onError(error);
      }
      if (stopping) {
        // Leased while stopping: give them straight back.
        await Promise.all(
          items.map((item) =>
            client
              .POST('/v1/tickets/{ticketId}/release', {
                params: { path: { ticketId: item.ticketId } },
                body: { leaseToken: item.leaseToken, reason: 'worker stopping' },
              })
              .catch(onError),
          ),
        );
        break;
      }
      stats.leased += items.length;
      for (const item of items) {
        const task = work(item).finally(() => running.delete(task));
        running.add(task);
      }
      if (items.length) idleMs = idle.min;
      else {
        await pause(idleMs);
        idleMs = Math.min(idle.max, idleMs * 2);
      }
    }
    // Running items finish within the grace period, else they are told to stop (and released when they throw).
    const graceTimer = setTimeout(() => abortWork.abort(new Error('worker stopping')), grace);
    await Promise.allSettled([...running]);
    clearTimeout(graceTimer);
  }

  const done = loop();
  const signals = options.stopSignals ?? ['SIGTERM', 'SIGINT'];
  const onSignal = () => void stop();
  for (const signal of signals) process.once(signal, onSignal);
  done.finally(() => {
    for (const signal of signals) process.removeListener(signal, onSignal);
  });

  async function stop(): Promise<void> {
    stopping = true;
    stopped();
    wake?.();
    await done;
  }

  return { stop, done, stats };
}
