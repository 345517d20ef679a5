import type { Ticket } from '../domain/types.js';
import { AppError } from '../lib/errors.js';
import { saveTicket } from '../store/ticket-store.js';
import type { AppContext } from './context.js';

const ATTEMPTS = 4;

/**
 * Read a ticket, compute its next state, and write it on condition that it
 * is still the version read. When someone else changed it in between (the
 * sweeper, a racing call), start over from the fresh state: the rules are
 * checked again on what is really there.
 *
 * `next` returns the new state, or the ticket itself for "nothing to do".
 */
export async function transitionTicket(
  ctx: AppContext,
  load: () => Promise<Ticket>,
  next: (ticket: Ticket, nowMs: number) => Ticket,
): Promise<{ before: Ticket; after: Ticket }> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const before = await load();
    const after = next(before, ctx.now());
    if (after === before) return { before, after };
    const saved = await saveTicket(ctx.table, before, after);
    if (saved.ok) return { before, after: { ...after, version: before.version + 1 } };
    if (!saved.staleTicket) throw new AppError('conflict', 'the provider cannot take this ticket now');
  }
  throw new AppError('conflict', 'the ticket is changing too fast; retry');
}
