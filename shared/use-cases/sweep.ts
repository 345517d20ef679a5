import { CalendarCache } from '../domain/calendar.js';
import { type PlacementSettings, willMissDue } from '../domain/prediction.js';
import { placementSettings } from '../domain/routing.js';
import { onTimer } from '../domain/timer-rules.js';
import type { ProviderSnapshot, Ticket } from '../domain/types.js';
import { getPolicy } from '../store/config-store.js';
import { dropEmptyHours, readBacklog } from '../store/backlog-store.js';
import { parkedPartitions, queuePartition, timerPartitions } from '../store/keys.js';
import { getProvider, listProviders } from '../store/provider-store.js';
import { decodeCursor, getTicket, queryTickets, saveTicket } from '../store/ticket-store.js';
import type { AppContext } from './context.js';
import { loadQueue, queuedWorkOf } from './provider-snapshot.js';

export interface SweepReport {
  examined: number;
  changed: number;
  routed: number;
  /** Offline providers still holding open items, whose fail-over was queued again. */
  failOvers: number;
  /** Buckets left for the next sweep because time ran out. */
  unfinishedBuckets: number;
}

export interface SweepOptions {
  pageSize?: number;
  /** The invocation's time left (Lambda's getRemainingTimeInMillis); the sweep stops before it runs out. */
  remainingMs?: () => number;
}

/** Time kept back for the last page's writes and enqueue when the invocation's time runs short. */
const RESERVE_MS = 10_000;

const calendars = new CalendarCache();

/** Backlog counters keep an attribute per creation hour: hours whose tickets all closed are dropped. */
async function dropEmptyBacklogHours(ctx: AppContext): Promise<void> {
  for (const group of await readBacklog(ctx.table)) await dropEmptyHours(ctx.table, group);
}

/** Whether a queued ticket's provider, from the ticket's place in its work order, would finish it late. */
function willMiss(
  provider: ProviderSnapshot | undefined,
  ticket: Ticket,
  nowMs: number,
  settings: PlacementSettings,
): boolean {
  if (!provider) return true;
  try {
    return willMissDue(provider, queuedWorkOf(ticket), calendars.get(provider, nowMs), nowMs, settings);
  } catch {
    return true;
  }
}

/**
 * Looks at every open ticket whose timer is due: expired leases, parked and
 * lost tickets, SLA at-risk and breach. Safe to run twice at once: every
 * change is a conditional write on the ticket's version, and a loser skips.
 */
export async function sweep(ctx: AppContext, options: SweepOptions | number = {}): Promise<SweepReport> {
  const { pageSize = 100, remainingMs } = typeof options === 'number' ? { pageSize: options } : options;
  const nowMs = ctx.now();
  const before = `${new Date(nowMs).toISOString()}#\uffff`;
  const report: SweepReport = { examined: 0, changed: 0, routed: 0, failOvers: 0, unfinishedBuckets: 0 };
  const outOfTime = () => remainingMs !== undefined && remainingMs() < RESERVE_MS;
  const toRoute: string[] = [];
  // Read once per sweep; each re-route shortens the backlog the next at-risk ticket is judged against.
  const settings = placementSettings(await getPolicy(ctx.table, 'routing'));
  const providers = new Map<string, ProviderSnapshot | undefined>();
  const providerOf = async (id: string) => {
    if (!providers.has(id)) {
      const provider = await getProvider(ctx.table, id);
      const queue = provider ? (await loadQueue(ctx, id)).map(queuedWorkOf) : [];
      providers.set(id, provider && { ...provider, routedLast24h: 0, queue });
    }
    return providers.get(id);
  };
  // Fail-over is re-checked until an offline provider holds nothing: its first passes read an index
  // that may have missed a ticket queued a moment before it went offline.
  const providerList = await listProviders(ctx.table);
  for (const provider of providerList) {
    if (provider.status !== 'offline' || provider.openItems <= 0) continue;
    await ctx.routingQueue.failOver({ providerId: provider.providerId, pass: 1 });
    report.failOvers++;
  }
  // Where due timers are: received and parked tickets by next check in the timer buckets; tickets
  // holding capacity in their provider's queue partition (never more than its capacity), filtered.
  const partitions: (Omit<Parameters<typeof queryTickets>[1], 'limit' | 'cursor'> & { due?: boolean })[] = [
    ...[...timerPartitions(), ...parkedPartitions()].map((partition) => ({
      index: 'timers' as const,
      partition,
      sortBefore: before,
    })),
    ...providerList
      .filter((provider) => provider.openItems > 0)
      .map((provider) => ({
        index: 'queue' as const,
        partition: queuePartition(provider.providerId),
        due: true,
      })),
  ];
  // Each sweep starts at another partition, so a sweep that runs out of time never starves the same ones.
  const first = Math.floor(nowMs / 60_000) % partitions.length;
  for (let step = 0; step < partitions.length; step++) {
    if (outOfTime()) {
      report.unfinishedBuckets = partitions.length - step;
      break;
    }
    const { due, ...partition } = partitions[
      (first + step) % partitions.length
    ] as (typeof partitions)[number];
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await queryTickets(ctx.table, { ...partition, limit: pageSize, cursor });
      for (const indexed of page.items) {
        // In a provider's partition, only entries whose next check has come (filtered here, not by the
        // query: a lagging index then still shows an entry as it was, which the table's copy settles).
        if (due && !(indexed.nextCheckAt && indexed.nextCheckAt < before)) continue;
        report.examined++;
        // The index is eventually consistent: act on the table's own copy.
        const ticket = await getTicket(ctx.table, indexed.ticketId);
        if (!ticket) continue;
        const miss =
          ticket.status === 'queued' && ticket.providerId
            ? willMiss(await providerOf(ticket.providerId), ticket, nowMs, settings)
            : false;
        const { next, route } = onTimer(ticket, nowMs, miss);
        if (next) {
          const saved = await saveTicket(ctx.table, ticket, next);
          if (!saved.ok) continue;
          report.changed++;
          const left = ticket.providerId && ticket.status === 'queued' && next.status !== 'queued';
          const provider = left ? providers.get(ticket.providerId ?? '') : undefined;
          if (provider) {
            provider.openItems -= 1;
            provider.queue = provider.queue?.filter((item) => item.ticketId !== ticket.ticketId);
          }
        }
        if (route) toRoute.push(ticket.ticketId);
      }
      // Enqueued page by page: work done is never lost to a timeout later in the sweep.
      report.routed += toRoute.length;
      await ctx.routingQueue.enqueue(toRoute.splice(0));
      cursor = decodeCursor(page.cursor);
    } while (cursor && !outOfTime());
  }
  await dropEmptyBacklogHours(ctx);
  return report;
}
