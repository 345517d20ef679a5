// The demo's providers at work: per provider, a few agents that lease from
// its queue (with its own provider key), take a while on each item and then
// complete it, or now and then release or reject it. They work only while
// the provider is open, as a real BPO would.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from '../lib/api-client.js';
import { ApiError } from '../lib/errors.js';
import type { DemoProvider } from './providers.js';
import type { Random } from './tickets.js';

export interface WorkStats {
  leased: number;
  completed: number;
  released: number;
  rejected: number;
  /** 409s: the lease had expired or the ticket moved on. */
  lostLeases: number;
  errors: number;
}

export interface ProviderWork {
  providerId: string;
  stats: WorkStats;
  isOpen(): boolean;
  /** Every agent found the queue empty on its last lease (or the provider is closed). */
  isIdle(): boolean;
  stop(): Promise<void>;
}

interface LeasedItem {
  ticketId: string;
  leaseToken: string;
  skill: string;
  language: string | null;
  priority: string;
}

const RESOLUTIONS = [
  'Refund issued to the original payment method',
  'Duplicate charge reversed; customer informed',
  'Records corrected and confirmed with the customer',
  'Documents verified, claim approved for payment',
  'Correction included in the next payroll run',
  'Data keyed and double-checked',
];
const RELEASE_REASONS = ['Agent shift ended before resolution', 'Waiting on a supervisor, handing back'];
const REJECT_REASONS = ['Outside our contract scope for this client', 'Customer asked for another vendor'];

export function startProviderWork(
  client: ApiClient,
  provider: DemoProvider,
  apiKey: string,
  options: { handleSeconds: number; random: Random; onError: (message: string) => void },
): ProviderWork {
  const { providerId } = provider;
  const stats: WorkStats = { leased: 0, completed: 0, released: 0, rejected: 0, lostLeases: 0, errors: 0 };
  const abort = new AbortController();
  const idle = Array.from({ length: provider.agents }, () => false);
  let open = true;
  let running = true;

  const pause = (ms: number) => sleep(ms, undefined, { signal: abort.signal }).catch(() => undefined);
  const call = <T>(path: string, body: unknown) => client.post<T>(path, body, { key: apiKey });
  const failed = (error: unknown) => {
    stats.errors++;
    options.onError(`${providerId}: ${(error as Error).message}`);
  };

  const checkHours = async () => {
    try {
      const view = await client.get<{ openNow?: boolean }>(`/v1/providers/${providerId}`, { key: apiKey });
      open = view.openNow !== false;
    } catch (error) {
      failed(error);
    }
  };
  // Agents start once the provider's hours are known.
  const hoursKnown = checkHours();

  async function watchHours(): Promise<void> {
    await hoursKnown;
    while (running) {
      await pause(5000);
      if (running) await checkHours();
    }
  }

  async function finish(item: LeasedItem): Promise<void> {
    const roll = options.random();
    const path = `/v1/tickets/${item.ticketId}`;
    try {
      if (roll < 0.04 && provider.mayReject(item)) {
        await call(`${path}/reject`, {
          leaseToken: item.leaseToken,
          reason: REJECT_REASONS[Math.floor(options.random() * REJECT_REASONS.length)],
        });
        stats.rejected++;
      } else if (roll < 0.12) {
        await call(`${path}/release`, {
          leaseToken: item.leaseToken,
          reason: RELEASE_REASONS[Math.floor(options.random() * RELEASE_REASONS.length)],
        });
        stats.released++;
      } else {
        await call(`${path}/complete`, {
          leaseToken: item.leaseToken,
          resolution: RESOLUTIONS[Math.floor(options.random() * RESOLUTIONS.length)],
        });
        stats.completed++;
        await review(item).catch(failed);
      }
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) stats.lostLeases++;
      else failed(error);
    }
  }

  /** The client's QA team rates half the completed work (around the provider's quality); a few are reopened. */
  async function review(item: LeasedItem): Promise<void> {
    const path = `/v1/tickets/${item.ticketId}/feedback`;
    const roll = options.random();
    if (roll < 0.03)
      await client.post(path, { reopen: true, reason: 'Customer replied: still not resolved' });
    else if (roll < 0.5) {
      const quality = provider.input.qualityScore ?? 1;
      const qaScore =
        Math.round(Math.min(1, Math.max(0, quality + (options.random() - 0.5) * 0.2)) * 100) / 100;
      await client.post(path, { qaScore, csat: Math.min(5, Math.max(1, Math.round(1 + qaScore * 4.2))) });
    }
  }

  async function agent(index: number): Promise<void> {
    await hoursKnown;
    while (running) {
      if (!open) {
        idle[index] = true;
        await pause(1000);
        continue;
      }
      let items: LeasedItem[];
      try {
        ({ items } = await call<{ items: LeasedItem[] }>(`/v1/providers/${providerId}/lease`, {
          max: 1,
          leaseSeconds: 120,
        }));
      } catch (error) {
        failed(error);
        await pause(1000);
        continue;
      }
      const item = items[0];
      if (!item) {
        idle[index] = true;
        await pause(300);
        continue;
      }
      idle[index] = false;
      stats.leased++;
      // Handle time around the average, quicker for urgent work; stopping cuts it short.
      const urgency = item.priority === 'P1' ? 0.5 : item.priority === 'P2' ? 0.8 : 1;
      await pause(
        ((options.handleSeconds * 1000 * (0.4 + options.random() * 1.2)) / provider.speed) * urgency,
      );
      await finish(item);
    }
  }

  const loops = [watchHours(), ...idle.map((_, index) => agent(index))];
  return {
    providerId,
    stats,
    isOpen: () => open,
    isIdle: () => !open || idle.every(Boolean),
    async stop() {
      running = false;
      abort.abort();
      await Promise.allSettled(loops);
    },
  };
}
