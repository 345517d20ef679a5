import { toRerouting } from '../domain/lifecycle.js';
import type { FailOverJob } from '../messaging/routing-queue.js';
import { queuePartition } from '../store/keys.js';
import { getProvider } from '../store/provider-store.js';
import { decodeCursor, getTicket, queryTickets } from '../store/ticket-store.js';
import type { AppContext } from './context.js';
import { transitionTicket } from './transition.js';

/** Queued tickets moved per page (one routing-queue message each): bounded work per invocation. */
export const FAIL_OVER_PAGE = 50;
/**
 * The queue index is eventually consistent: a ticket queued a moment before the provider went offline may
 * be missing from the first pass. Passes repeat this long apart (past the index lag) until one finds nothing.
 */
export const FAIL_OVER_RECHECK_SECONDS = 3;
/** Passes at least: the first at once, the next after the lag. */
const MIN_PASSES = 2;

/** Moves one page of an offline provider's queued tickets back to routing. */
async function moveOnePage(
  ctx: AppContext,
  providerId: string,
  cursor: string | undefined,
): Promise<{ moved: string[]; cursor?: string }> {
  const page = await queryTickets(ctx.table, {
    index: 'queue',
    partition: queuePartition(providerId),
    limit: FAIL_OVER_PAGE,
    cursor: decodeCursor(cursor),
  });
  const moved: string[] = [];
  // Its partition holds its leased and held tickets too: they stay with it.
  for (const queued of page.items.filter((ticket) => ticket.status === 'queued')) {
    // The index is eventually consistent: act on the table's own copy.
    const current = await getTicket(ctx.table, queued.ticketId);
    if (!current) continue;
    const { before, after } = await transitionTicket(
      ctx,
      async () => (await getTicket(ctx.table, queued.ticketId)) ?? current,
      (ticket, nowMs) =>
        ticket.status === 'queued' && ticket.providerId === providerId
          ? toRerouting(ticket, 'rerouted', nowMs, 'provider_offline')
          : ticket,
    );
    if (before !== after) moved.push(after.ticketId);
  }
  await ctx.routingQueue.enqueue(moved);
  return { moved, cursor: page.cursor };
}

/**
 * One step of a fail-over, as the router runs it from a routing-queue message: one page, then the next page
 * (at once) or the next pass (after the index lag) as a new message. Stops when the provider is back, or
 * when a pass after the first found nothing to move.
 */
export async function failOverStep(ctx: AppContext, job: FailOverJob): Promise<number> {
  const provider = await getProvider(ctx.table, job.providerId);
  if (provider?.status !== 'offline') return 0;
  const { moved, cursor } = await moveOnePage(ctx, job.providerId, job.cursor);
  const movedInPass = (job.movedInPass ?? 0) + moved.length;
  if (cursor) await ctx.routingQueue.failOver({ ...job, cursor, movedInPass });
  else if (job.pass + 1 < MIN_PASSES || movedInPass > 0)
    await ctx.routingQueue.failOver(
      { providerId: job.providerId, pass: job.pass + 1 },
      { delaySeconds: FAIL_OVER_RECHECK_SECONDS },
    );
  return moved.length;
}

/**
 * A provider went offline: its queued (not leased) tickets go back to routing. Leased ones stay with the
 * provider until they end or expire. Runs every page here (the CLI and tests); functions enqueue
 * `failOverStep` jobs instead, so each invocation does bounded work.
 */
export async function failOverProvider(ctx: AppContext, providerId: string): Promise<number> {
  let total = 0;
  let cursor: string | undefined;
  do {
    const page = await moveOnePage(ctx, providerId, cursor);
    total += page.moved.length;
    cursor = page.cursor;
  } while (cursor);
  return total;
}
