import { ticketViewFor } from '../domain/ticket.js';
import type { Principal, Ticket } from '../domain/types.js';
import { notFound } from '../lib/errors.js';
import { getTicket } from '../store/ticket-store.js';
import type { AppContext } from './context.js';

/** Admin sees all; a source its own; a provider only what it holds now (queued, leased or on hold). Anyone else: not found. */
export function canSeeTicket(principal: Principal, ticket: Ticket): boolean {
  if (principal.role === 'admin') return true;
  if (principal.role === 'source') return principal.sourceId === ticket.sourceId;
  return (
    principal.providerId === ticket.providerId &&
    (ticket.status === 'queued' || ticket.status === 'leased' || ticket.status === 'on_hold')
  );
}

export async function loadVisibleTicket(
  ctx: AppContext,
  principal: Principal,
  ticketId: string,
): Promise<Ticket> {
  const ticket = /^[0-9a-f]{32}$/.test(ticketId) ? await getTicket(ctx.table, ticketId) : undefined;
  if (!ticket || !canSeeTicket(principal, ticket)) throw notFound('ticket');
  return ticket;
}

export async function readTicket(ctx: AppContext, principal: Principal, ticketId: string) {
  return ticketViewFor(principal, await loadVisibleTicket(ctx, principal, ticketId), ctx.now());
}
