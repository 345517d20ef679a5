import { statusPartition } from '../store/keys.js';
import { queryTickets } from '../store/ticket-store.js';
import type { AppContext } from './context.js';

/**
 * Work-conserving wake-up: when capacity frees or a provider changes, the
 * oldest parked tickets go back to the router now instead of at the next sweep.
 */
export async function wakeParkedTickets(ctx: AppContext, howMany: number): Promise<number> {
  const page = await queryTickets(ctx.table, {
    index: 'by-status',
    partition: statusPartition('parked'),
    limit: howMany,
  });
  await ctx.routingQueue.enqueue(page.items.map((ticket) => ticket.ticketId));
  return page.items.length;
}
