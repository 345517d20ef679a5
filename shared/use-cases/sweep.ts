import { TIMER_BUCKETS } from '../store/layout.js';
import { addOpenHours, CalendarCache } from '../domain/calendar.js';
import { onTimer } from '../domain/timer-rules.js';
import type { Provider, Ticket } from '../domain/types.js';
import { timerPartition } from '../store/keys.js';
import { getProvider } from '../store/provider-store.js';
import { decodeCursor, getTicket, queryTickets, saveTicket } from '../store/ticket-store.js';
import type { AppContext } from './context.js';

export interface SweepReport {
  examined: number;
  changed: number;
  routed: number;
}

const calendars = new CalendarCache();

/** Whether a queued ticket's provider is predicted to finish its whole backlog after the ticket's dueAt. */
function willMiss(provider: Provider | undefined, ticket: Ticket, nowMs: number): boolean {
  if (!provider) return true;
  const calendar = calendars.get(provider, nowMs);
  const finish = addOpenHours(calendar, nowMs, provider.openItems / provider.throughputPerHour);
  return finish === null || finish > Date.parse(ticket.dueAt);
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
  const providers = new Map<string, Provider | undefined>();
  const providerOf = async (id: string) => {
    if (!providers.has(id)) providers.set(id, await getProvider(ctx.table, id));
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
            ? willMiss(await providerOf(ticket.providerId), ticket, nowMs)
            : false;
        const { next, route } = onTimer(ticket, nowMs, miss);
        if (next) {
          const saved = await saveTicket(ctx.table, ticket, next);
          if (!saved.ok) continue;
          report.changed++;
          const left = ticket.providerId && ticket.status === 'queued' && next.status !== 'queued';
          const provider = left ? providers.get(ticket.providerId ?? '') : undefined;
          if (provider) provider.openItems -= 1;
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
