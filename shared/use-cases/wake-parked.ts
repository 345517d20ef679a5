import { placementSettings } from '../domain/routing.js';
import type { Provider } from '../domain/types.js';
import { ticketsToWake } from '../domain/wake-up.js';
import { getPolicy } from '../store/config-store.js';
import { parkedPartition } from '../store/keys.js';
import { PARKED_BUCKETS } from '../store/layout.js';
import { decodeCursor, type IndexedTicket, queryTickets } from '../store/ticket-store.js';
import type { AppContext } from './context.js';
import { queuedWorkOf } from './provider-snapshot.js';

/** Parked tickets looked at per wake-up; beyond them the sweeper's retry still finds every one. */
const PARKED_SCAN_LIMIT = 500;

/**
 * Work-conserving wake-up: when capacity frees or a provider changes, parked
 * tickets go back to the router now instead of at the next sweep — for a freed
 * slot only those its provider may take, in triage order (those that can still
 * meet their due first, by priority then due).
 */
export async function wakeParkedTickets(ctx: AppContext, howMany: number, freed?: Provider): Promise<number> {
  const parked: IndexedTicket[] = [];
  // The buckets in turn from a random one: a long parked list is not always read from the same end.
  const first = Math.floor(Math.random() * PARKED_BUCKETS);
  for (let step = 0; step < PARKED_BUCKETS && parked.length < PARKED_SCAN_LIMIT; step++) {
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await queryTickets(ctx.table, {
        index: 'timers',
        partition: parkedPartition((first + step) % PARKED_BUCKETS),
        limit: Math.min(100, PARKED_SCAN_LIMIT - parked.length),
        cursor,
      });
      parked.push(...page.items);
      cursor = decodeCursor(page.cursor);
    } while (cursor && parked.length < PARKED_SCAN_LIMIT);
  }
  if (parked.length === 0) return 0;
  const { lateAgingMs } = placementSettings(await getPolicy(ctx.table, 'routing'));
  const woken = ticketsToWake(
    parked.map((ticket) => ({ ...ticket, ...queuedWorkOf(ticket) })),
    freed && { ...freed, routedLast24h: 0 },
    ctx.now(),
    lateAgingMs,
    howMany,
  );
  await ctx.routingQueue.enqueue(woken.map((ticket) => ticket.ticketId));
  return woken.length;
}
