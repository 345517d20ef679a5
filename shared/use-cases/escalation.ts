// Escalation and transfer (issue 14): a ticket that needs another skill goes back to routing with its SLA
// clock; an admin moves a queued or held ticket to a named provider, capacity moved in the same write.
import { hardFilterReasons } from '../domain/hard-filters.js';
import { toEscalated, toTransferred } from '../domain/lifecycle.js';
import { capacityUnits, ticketViewFor } from '../domain/ticket.js';
import type { Principal, Ticket } from '../domain/types.js';
import { AppError, conflict, notFound } from '../lib/errors.js';
import { sha256Hex } from '../lib/hash.js';
import { getProvider } from '../store/provider-store.js';
import { getTicket } from '../store/ticket-store.js';
import type { AppContext } from './context.js';
import { assertLease, type LeaseCall, loadHeld } from './provider-work.js';
import { transitionTicket } from './transition.js';

/** The hash of the lease token that escalated a ticket, kept so a retried escalation is recognised. */
type EscalatedTicket = Ticket & { escalatedTokenHash?: string };

/**
 * The leasing provider hands the ticket back for another skill (or a higher proficiency): it is routed
 * again with the same createdAt, SLA clock and history; not a rejection, so the provider is not excluded.
 */
export async function escalateTicket(
  ctx: AppContext,
  call: LeaseCall,
  request: { skill: string; minProficiency?: number; note: string },
) {
  const { before, after } = await transitionTicket(
    ctx,
    () => loadHeld(ctx, call.principal, call.ticketId),
    (ticket, nowMs) => {
      const tokenHash = sha256Hex(call.leaseToken);
      // A retry of the call that escalated it: the same answer, nothing changes.
      if (ticket.status !== 'leased' && (ticket as EscalatedTicket).escalatedTokenHash === tokenHash)
        return ticket;
      assertLease(ticket, call.leaseToken, nowMs);
      const higher = (request.minProficiency ?? 0) > ticket.minProficiency;
      if (request.skill === ticket.skill && !higher) {
        throw new AppError('validation_error', 'escalate to another skill or a higher minProficiency', [
          { path: 'skill', message: `the ticket already asks for ${ticket.skill}` },
        ]);
      }
      return { ...toEscalated(ticket, request, nowMs), escalatedTokenHash: tokenHash } as EscalatedTicket;
    },
  );
  if (after !== before) await ctx.routingQueue.enqueue([after.ticketId]);
  return ticketViewFor(call.principal, after, ctx.now());
}

const TRANSFERABLE: readonly Ticket['status'][] = ['queued', 'on_hold'];

/**
 * An admin moves a queued or held ticket to a named provider that passes the hard filters. The capacity
 * (effort units) leaves the old provider and is taken at the new one in the ticket's own write, on the
 * new one's room as it is then: a full provider → 409 and nothing changes.
 */
export async function transferTicket(
  ctx: AppContext,
  principal: Principal,
  ticketId: string,
  providerId: string,
) {
  const provider = await getProvider(ctx.table, providerId);
  if (!provider) throw notFound('provider');
  const load = async () => {
    const ticket = /^[0-9a-f]{32}$/.test(ticketId) ? await getTicket(ctx.table, ticketId) : undefined;
    if (!ticket) throw notFound('ticket');
    return ticket;
  };
  const { after } = await transitionTicket(ctx, load, (ticket, nowMs) => {
    if (!TRANSFERABLE.includes(ticket.status))
      throw conflict(`a ${ticket.status} ticket cannot be transferred (only queued or on hold)`);
    if (ticket.providerId === providerId) return ticket;
    const moved = toTransferred(ticket, provider, nowMs);
    // Room is needed only where the ticket will hold capacity (a hold there may let it go).
    const reasons = hardFilterReasons({ ...provider, routedLast24h: 0 }, ticket).filter(
      (reason) => reason !== 'at_capacity' || capacityUnits(moved) > 0,
    );
    if (reasons.length > 0) {
      throw new AppError(
        'conflict',
        `${providerId} cannot take this ticket: ${reasons.join(', ')}`,
        reasons.map((reason) => ({ path: 'providerId', message: reason })),
      );
    }
    return moved;
  });
  return ticketViewFor(principal, after, ctx.now());
}
