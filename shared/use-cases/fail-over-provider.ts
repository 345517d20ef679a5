import { toRerouting } from '../domain/lifecycle.js';
import { queuePartition } from '../store/keys.js';
import { decodeCursor, getTicket, queryTickets } from '../store/ticket-store.js';
import type { AppContext } from './context.js';
import { transitionTicket } from './transition.js';

/**
 * A provider went offline: its queued (not leased) tickets go back to
 * routing. Leased ones stay with the provider until they end or expire.
 */
export async function failOverProvider(ctx: AppContext, providerId: string): Promise<number> {
  const moved: string[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await queryTickets(ctx.table, {
      index: 'queue',
      partition: queuePartition(providerId),
      limit: 100,
      cursor,
    });
    for (const queued of page.items) {
      const { before, after } = await transitionTicket(
        ctx,
        async () => (await getTicket(ctx.table, queued.ticketId)) ?? queued,
        (ticket, nowMs) =>
          ticket.status === 'queued' && ticket.providerId === providerId
            ? toRerouting(ticket, 'rerouted', nowMs, 'provider_offline')
            : ticket,
      );
      if (before !== after) moved.push(after.ticketId);
    }
    cursor = decodeCursor(page.cursor);
  } while (cursor);
  await ctx.routingQueue.enqueue(moved);
  return moved.length;
}
