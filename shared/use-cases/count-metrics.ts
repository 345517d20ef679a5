import { metricIncrements } from '../domain/metric-changes.js';
import type { CountIncrement } from '../domain/metric-counts.js';
import type { Ticket } from '../domain/types.js';
import { addCountsOnce } from '../store/metric-store.js';
import type { AppContext } from './context.js';

/** Counts one ticket change; the change's sequence number makes a replay count nothing. */
export async function countTicketChange(
  ctx: AppContext,
  before: Ticket | undefined,
  after: Ticket,
): Promise<{ outcome: 'counted' | 'already_counted' | 'nothing'; increments: CountIncrement[] }> {
  const increments = metricIncrements(before, after);
  const outcome = await addCountsOnce(ctx.table, `${after.ticketId}#${after.seq}`, increments, ctx.now());
  return { outcome, increments };
}
