import type { Provider, ProviderSnapshot, Ticket } from '../domain/types.js';
import type { QueuedWork } from '../domain/work-order.js';
import { queuePartition } from '../store/keys.js';
import { hourOf, readHourlyCounts, sumCounts, sumRoutedBySkill } from '../store/metric-store.js';
import { listProviders } from '../store/provider-store.js';
import { decodeCursor, type IndexedTicket, queryTickets } from '../store/ticket-store.js';
import type { AppContext } from './context.js';
import { contractSnapshotFields } from './contracts.js';

/**
 * Queued tickets read per provider for predictions, earliest due first. A longer queue is predicted from its
 * first part: the rest is due later and mostly worked after a new ticket anyway.
 */
export const QUEUE_SNAPSHOT_LIMIT = 500;

export const queuedWorkOf = (
  ticket: Pick<Ticket, 'ticketId' | 'priority' | 'dueAt' | 'createdAt' | 'effort'>,
): QueuedWork => ({
  ticketId: ticket.ticketId,
  priority: ticket.priority,
  dueMs: Date.parse(ticket.dueAt),
  createdMs: Date.parse(ticket.createdAt),
  ...(ticket.effort !== undefined && ticket.effort > 1 ? { effort: ticket.effort } : {}),
});

/** A provider's queued, not yet leased tickets (from the queue index: a moment old at worst). */
export async function loadQueue(ctx: AppContext, providerId: string): Promise<IndexedTicket[]> {
  const tickets: IndexedTicket[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await queryTickets(ctx.table, {
      index: 'queue',
      partition: queuePartition(providerId),
      limit: Math.min(100, QUEUE_SNAPSHOT_LIMIT - tickets.length),
      cursor,
    });
    // The partition holds its leased and held tickets too (they count in openItems, not in the queue).
    tickets.push(...page.items.filter((ticket) => ticket.status === 'queued'));
    cursor = decodeCursor(page.cursor);
  } while (cursor && tickets.length < QUEUE_SNAPSHOT_LIMIT);
  return tickets;
}

/** One provider as the router sees it: live counters, its queue, and its routings of the last 24 h. */
export async function snapshotOf(ctx: AppContext, provider: Provider): Promise<ProviderSnapshot> {
  const nowMs = ctx.now();
  const [fromHour, toHour] = [
    hourOf(new Date(nowMs - 23 * 3600_000).toISOString()),
    hourOf(new Date(nowMs).toISOString()),
  ];
  const [rows, queue, contract] = await Promise.all([
    readHourlyCounts(ctx.table, provider.providerId, fromHour, toHour),
    loadQueue(ctx, provider.providerId),
    contractSnapshotFields(ctx, provider),
  ]);
  return {
    ...provider,
    ...contract,
    routedLast24h: sumCounts(rows).routed,
    routedBySkill: sumRoutedBySkill(rows),
    queue: queue.map(queuedWorkOf),
  };
}

/** How long a router trusts its snapshot; reservations are conditional, so staleness costs a retry, never a breach. */
export const SNAPSHOT_TTL_MS = 3000;

/** Every provider with its open items, queue and routings over the last 24 h (for shares). */
export async function loadProviderSnapshot(ctx: AppContext): Promise<ProviderSnapshot[]> {
  const providers = await listProviders(ctx.table);
  return Promise.all(providers.map((provider) => snapshotOf(ctx, provider)));
}

/** A per-process snapshot cache, refreshed after SNAPSHOT_TTL_MS. */
export class ProviderSnapshotCache {
  private snapshot?: { loadedAt: number; providers: Map<string, ProviderSnapshot> };

  /** The snapshot, reloaded when older than `maxAgeMs`. */
  async get(
    ctx: AppContext,
    maxAgeMs = SNAPSHOT_TTL_MS,
    /** Reload as well when the snapshot was taken at or before this instant. */
    notBeforeMs = Number.NEGATIVE_INFINITY,
  ): Promise<Map<string, ProviderSnapshot>> {
    const nowMs = ctx.now();
    if (
      !this.snapshot ||
      nowMs - this.snapshot.loadedAt > maxAgeMs ||
      this.snapshot.loadedAt <= notBeforeMs
    ) {
      const providers = await loadProviderSnapshot(ctx);
      this.snapshot = {
        loadedAt: nowMs,
        providers: new Map(providers.map((provider) => [provider.providerId, provider])),
      };
    }
    return this.snapshot.providers;
  }
}
