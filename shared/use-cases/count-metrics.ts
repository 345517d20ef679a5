import { metricIncrements } from '../domain/metric-changes.js';
import type { Ticket } from '../domain/types.js';
import { addCountsOnce } from '../store/metric-store.js';
import type { AppContext } from './context.js';

/** Counts one ticket change; the change's sequence number makes a replay count nothing. */
export async function countTicketChange(ctx: AppContext, before: Ticket | undefined, after: Ticket) {
  return addCountsOnce(ctx.table, `${after.ticketId}#${after.seq}`, metricIncrements(before, after), ctx.now());
}
