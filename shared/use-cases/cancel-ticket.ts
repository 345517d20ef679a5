import { toCancelled } from '../domain/lifecycle.js';
import type { Principal } from '../domain/types.js';
import { conflict } from '../lib/errors.js';
import type { AppContext } from './context.js';
import { loadVisibleTicket } from './read-ticket.js';
import { transitionTicket } from './transition.js';

/** Cancelled by its source (or an admin); frees the provider's slot if it held one. Idempotent. */
export async function cancelTicket(ctx: AppContext, principal: Principal, ticketId: string, reason?: string) {
  const { after } = await transitionTicket(
    ctx,
    () => loadVisibleTicket(ctx, principal, ticketId),
    (ticket, nowMs) => {
      if (ticket.status === 'completed') throw conflict('a completed ticket cannot be cancelled');
      return ticket.status === 'cancelled' ? ticket : toCancelled(ticket, nowMs, reason);
    },
  );
  return { ticketId: after.ticketId, status: after.status };
}
