import type { Provider, ProviderSnapshot, Ticket } from '../domain/types.js';
import type { QueuedWork } from '../domain/work-order.js';
import { queuePartition } from '../store/keys.js';
import { hourOf, readHourlyCounts, sumCounts, sumRoutedBySkill } from '../store/metric-store.js';
import { listProviders, listProviderStates, type ProviderState } from '../store/provider-store.js';
import { decodeCursor, type IndexedTicket, queryTickets } from '../store/ticket-store.js';
import type { AppContext } from './context.js';
import {
  type ContractReadings,
  contractFieldsAt,
  contractReadingsCurrent,
  readContractReadings,
} from './contracts.js';

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

/**
 * What a router reads of a provider beside its item: its routings of the last 24 h (hourly rows, summed),
 * its queue, and its contract readings. Read together; `readAtMs` says when.
 */
export interface ProviderParts {
  readAtMs: number;
  routedLast24h: number;
  routedBySkill: Record<string, number>;
  queue: QueuedWork[];
  contract: ContractReadings;
}

/** A provider's parts as they are now: four reads side by side (five with a minimum-volume contract). */
export async function readProviderParts(ctx: AppContext, providerId: string): Promise<ProviderParts> {
  const nowMs = ctx.now();
  const [fromHour, toHour] = [
    hourOf(new Date(nowMs - 23 * 3600_000).toISOString()),
    hourOf(new Date(nowMs).toISOString()),
  ];
  const [rows, queue, contract] = await Promise.all([
    readHourlyCounts(ctx.table, providerId, fromHour, toHour),
    loadQueue(ctx, providerId),
    readContractReadings(ctx, providerId),
  ]);
  return {
    readAtMs: nowMs,
    routedLast24h: sumCounts(rows).routed,
    routedBySkill: sumRoutedBySkill(rows),
    queue: queue.map(queuedWorkOf),
    contract,
  };
}

/**
 * The snapshot of a provider item with its parts, at `nowMs`. The queue and the per-skill counts are
 * copies: a router updates its snapshot in memory after each reservation, never the parts kept.
 */
export function snapshotFrom(provider: Provider, parts: ProviderParts, nowMs: number): ProviderSnapshot {
  return {
    ...provider,
    ...contractFieldsAt(provider, parts.contract, nowMs),
    routedLast24h: parts.routedLast24h,
    // No prototype, as summed: a skill may be called "constructor".
    routedBySkill: Object.assign(Object.create(null) as Record<string, number>, parts.routedBySkill),
    queue: [...parts.queue],
  };
}

/** One provider as the router sees it: live counters, its queue, and its routings of the last 24 h. */
export async function snapshotOf(ctx: AppContext, provider: Provider): Promise<ProviderSnapshot> {
  return snapshotFrom(provider, await readProviderParts(ctx, provider.providerId), ctx.now());
}

/** Every provider with its open items, queue and routings over the last 24 h (for shares): a full load. */
export async function loadProviderSnapshot(ctx: AppContext): Promise<ProviderSnapshot[]> {
  const providers = await listProviders(ctx.table);
  return Promise.all(providers.map((provider) => snapshotOf(ctx, provider)));
}

// ---- the router's cache: refreshed by change ------------------------------------------------------------

/**
 * How old a router's provider list may be (a batch older than this refreshes first). A refresh is the
 * provider list (a consistent read of the directory and of the items, as before) plus the parts of the
 * providers that changed: an unchanged provider costs its list entry only, so the list is read every
 * second, where the whole snapshot was reloaded every 3 s. Reservations stay conditional writes: a stale
 * view costs a retry, never a breach.
 */
export const SNAPSHOT_TTL_MS = 1000;
/**
 * A changed provider's parts are read again at most this often (the old reload period): a provider that
 * changes all the time costs what it did before, and meanwhile the router keeps its own takes in memory.
 */
export const CHANGED_PARTS_MIN_AGE_MS = 3000;
/**
 * Parts read less than this after a change was first seen may miss it: the queue is an index (a moment
 * behind the table in AWS, `index-lag` under OUTROUTE_FAULTS) and routed counts land when the stream
 * consumer applies them. Such parts are read once more after it.
 */
export const CHANGE_SETTLE_MS = 3000;
/**
 * Every provider's parts are read again after this long whatever the marker says: changes that move no
 * marker (a lease from the queue, a hold resumed with its capacity kept, a reprioritised queued ticket,
 * a QA score) are seen within a minute, or at the provider's next marked change if sooner.
 */
export const PARTS_MAX_AGE_MS = 60_000;

/**
 * What tells a router a provider's parts moved: the change marker (reservations, capacity given back,
 * contract versions) and `openItems` as well, which only those writes move. Configuration is read with the
 * list itself, so a `version` change needs no part.
 */
const changeMarkerOf = ({ provider, changeSeq }: ProviderState) => `${changeSeq}/${provider.openItems}`;

interface CachedProvider {
  parts: ProviderParts;
  /** The marker the parts were read under. */
  partsMarker: string;
  /** The latest marker seen in a list, and when it was first seen. */
  seenMarker: string;
  seenAtMs: number;
}

const hourAt = (ms: number) => hourOf(new Date(ms).toISOString());

/** Whether a provider's parts are read again in this refresh. */
function partsDue(cached: CachedProvider, marker: string, nowMs: number): boolean {
  const { parts } = cached;
  const age = nowMs - parts.readAtMs;
  // The 24 h window moved on, or a new minimum-volume period began: other rows count.
  if (hourAt(nowMs) !== hourAt(parts.readAtMs) || !contractReadingsCurrent(parts.contract, nowMs))
    return true;
  if (age >= PARTS_MAX_AGE_MS) return true;
  if (age < CHANGED_PARTS_MIN_AGE_MS) return false;
  const settling = parts.readAtMs < cached.seenAtMs + CHANGE_SETTLE_MS;
  return marker !== cached.partsMarker || settling;
}

/**
 * A per-process snapshot cache, refreshed by change: each refresh reads the provider list once and
 * re-reads the queue, counts and contract only of the providers whose change marker moved (or whose
 * parts are due: see partsDue). Equal, provider by provider, to a full load at the same instant, but for
 * changes that move no marker (PARTS_MAX_AGE_MS) and the moment the index and stream take.
 */
export class ProviderSnapshotCache {
  private snapshot?: { loadedAt: number; providers: Map<string, ProviderSnapshot> };
  private cached = new Map<string, CachedProvider>();

  /** The snapshot, refreshed when older than `maxAgeMs`. */
  async get(
    ctx: AppContext,
    maxAgeMs = SNAPSHOT_TTL_MS,
    /** Refresh as well when the snapshot was taken at or before this instant. */
    notBeforeMs = Number.NEGATIVE_INFINITY,
  ): Promise<Map<string, ProviderSnapshot>> {
    const nowMs = ctx.now();
    if (
      !this.snapshot ||
      nowMs - this.snapshot.loadedAt > maxAgeMs ||
      this.snapshot.loadedAt <= notBeforeMs
    ) {
      this.snapshot = { loadedAt: nowMs, providers: await this.refresh(ctx, nowMs) };
    }
    return this.snapshot.providers;
  }

  private async refresh(ctx: AppContext, nowMs: number): Promise<Map<string, ProviderSnapshot>> {
    const states = await listProviderStates(ctx.table);
    const cached = new Map<string, CachedProvider>();
    const snapshots = await Promise.all(
      states.map(async (state) => {
        const entry = await this.refreshed(ctx, state, nowMs);
        cached.set(state.provider.providerId, entry.cached);
        return entry.snapshot;
      }),
    );
    // Providers no longer listed drop out.
    this.cached = cached;
    return new Map(snapshots.map((snapshot) => [snapshot.providerId, snapshot]));
  }

  /** One listed provider: its parts read again if due, and its snapshot. */
  private async refreshed(
    ctx: AppContext,
    state: ProviderState,
    nowMs: number,
  ): Promise<{ cached: CachedProvider; snapshot: ProviderSnapshot }> {
    const { provider } = state;
    const marker = changeMarkerOf(state);
    const before = this.cached.get(provider.providerId);
    const seen =
      before?.seenMarker === marker
        ? { seenMarker: marker, seenAtMs: before.seenAtMs }
        : { seenMarker: marker, seenAtMs: nowMs };
    if (!before || partsDue({ ...before, ...seen }, marker, nowMs)) {
      const parts = await readProviderParts(ctx, provider.providerId);
      return {
        cached: { parts, partsMarker: marker, ...seen },
        snapshot: snapshotFrom(provider, parts, parts.readAtMs),
      };
    }
    const cached = { ...before, ...seen };
    // Changed, parts not read again yet: the queue and counts in memory keep this router's own takes.
    const inMemory =
      marker !== before.partsMarker ? this.snapshot?.providers.get(provider.providerId) : undefined;
    return {
      cached,
      snapshot: inMemory
        ? withMemoryOf(provider, inMemory, before.parts, nowMs)
        : snapshotFrom(provider, before.parts, nowMs),
    };
  }
}

/** The list's item with the queue and counts of the snapshot in memory (the contract derived at `nowMs`). */
function withMemoryOf(
  provider: Provider,
  inMemory: ProviderSnapshot,
  parts: ProviderParts,
  nowMs: number,
): ProviderSnapshot {
  return {
    ...provider,
    ...contractFieldsAt(provider, parts.contract, nowMs),
    routedLast24h: inMemory.routedLast24h,
    ...(inMemory.routedBySkill ? { routedBySkill: inMemory.routedBySkill } : {}),
    ...(inMemory.queue ? { queue: inMemory.queue } : {}),
  };
}
