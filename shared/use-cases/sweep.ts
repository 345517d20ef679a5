import { TIMER_BUCKETS } from '../store/layout.js';
import { CalendarCache } from '../domain/calendar.js';
import { type PlacementSettings, willMissDue } from '../domain/prediction.js';
import { placementSettings } from '../domain/routing.js';
import { onTimer } from '../domain/timer-rules.js';
import type { ProviderSnapshot, Ticket } from '../domain/types.js';
import { getPolicy } from '../store/config-store.js';
import { timerPartition } from '../store/keys.js';
import { getProvider } from '../store/provider-store.js';
import { decodeCursor, getTicket, queryTickets, saveTicket } from '../store/ticket-store.js';
import type { AppContext } from './context.js';
import { loadQueue, queuedWorkOf } from './provider-snapshot.js';

export interface SweepReport {
  examined: number;
  changed: number;
  routed: number;
}

const calendars = new CalendarCache();

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
export async function sweep(ctx: AppContext, pageSize = 100): Promise<SweepReport> {
  const nowMs = ctx.now();
  const before = `${new Date(nowMs).toISOString()}#\uffff`;
  const report: SweepReport = { examined: 0, changed: 0, routed: 0 };
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
  for (let bucket = 0; bucket < TIMER_BUCKETS; bucket++) {
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await queryTickets(ctx.table, {
        index: 'timers',
        partition: timerPartition(bucket),
        sortBefore: before,
        limit: pageSize,
        cursor,
      });
      for (const indexed of page.items) {
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
      cursor = decodeCursor(page.cursor);
    } while (cursor);
  }
  await ctx.routingQueue.enqueue(toRoute);
  report.routed = toRoute.length;
  return report;
}
