import { toCompleted, toExtended, toLeased, toRerouting } from '../domain/lifecycle.js';
import type { Principal, Ticket } from '../domain/types.js';
import { conflict, notFound } from '../lib/errors.js';
import { randomToken, sha256Hex } from '../lib/hash.js';
import { queuePartition } from '../store/keys.js';
import { decodeCursor, getPayloads, getTicket, queryTickets, saveTicket } from '../store/ticket-store.js';
import type { AppContext } from './context.js';
import { transitionTicket } from './transition.js';

export interface LeasedItem {
  ticketId: string;
  leaseToken: string;
  leaseExpiresAt: string;
  dueAt: string;
  priority: string;
  skill: string;
  kind: string;
  language: string | null;
  subject: string | null;
  payload: unknown;
}

/**
 * Up to `max` of the provider's queued tickets, earliest dueAt first. Each
 * is taken by a conditional write, so racing callers never get the same
 * ticket; a caller that loses a race moves on to the next one.
 */
export async function leaseTickets(
  ctx: AppContext,
  providerId: string,
  request: { max: number; leaseSeconds: number },
): Promise<LeasedItem[]> {
  const leased: { ticket: Ticket; token: string }[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await queryTickets(ctx.table, {
      index: 'queue',
      partition: queuePartition(providerId),
      limit: request.max * 2,
      cursor,
    });
    for (const candidate of page.items) {
      if (leased.length >= request.max) break;
      const ticket = await getTicket(ctx.table, candidate.ticketId);
      if (ticket?.status !== 'queued' || ticket.providerId !== providerId) continue;
      const nowMs = ctx.now();
      const token = randomToken();
      const expiresAt = new Date(nowMs + request.leaseSeconds * 1000).toISOString();
      const saved = await saveTicket(ctx.table, ticket, toLeased(ticket, sha256Hex(token), expiresAt, nowMs));
      if (saved.ok) leased.push({ ticket: { ...ticket, leaseExpiresAt: expiresAt }, token });
    }
    cursor = leased.length < request.max ? decodeCursor(page.cursor) : undefined;
  } while (cursor);
  const payloads = await getPayloads(
    ctx.table,
    leased.map(({ ticket }) => ticket.ticketId),
  );
  return leased.map(({ ticket, token }) => ({
    ticketId: ticket.ticketId,
    leaseToken: token,
    leaseExpiresAt: ticket.leaseExpiresAt ?? '',
    dueAt: ticket.dueAt,
    priority: ticket.priority,
    skill: ticket.skill,
    kind: ticket.kind,
    language: ticket.language ?? null,
    subject: ticket.subject ?? null,
    payload: payloads.get(ticket.ticketId) ?? null,
  }));
}

/** The lease rules: the caller's token, on a lease still running. Anything else is a 409 and changes nothing. */
function assertLease(ticket: Ticket, leaseToken: string, nowMs: number): void {
  if (ticket.status !== 'leased') throw conflict(`the ticket is ${ticket.status}, not leased`);
  if (ticket.leaseTokenHash !== sha256Hex(leaseToken))
    throw conflict('the lease token does not match the current lease');
  if (!ticket.leaseExpiresAt || Date.parse(ticket.leaseExpiresAt) <= nowMs)
    throw conflict('the lease has expired');
}

/**
 * A provider reaches the tickets it holds or held (a call with a token that is
 * no longer valid is then a 409 from the lease rules, as for admin); a ticket
 * it never had does not exist for it.
 */
async function loadHeld(ctx: AppContext, principal: Principal, ticketId: string): Promise<Ticket> {
  const ticket = /^[0-9a-f]{32}$/.test(ticketId) ? await getTicket(ctx.table, ticketId) : undefined;
  if (!ticket) throw notFound('ticket');
  if (principal.role === 'admin') return ticket;
  const own = principal.role === 'provider' && principal.providerId !== undefined;
  const heldIt =
    own &&
    (ticket.providerId === principal.providerId ||
      ticket.history.some((entry) => entry.providerId === principal.providerId));
  if (!heldIt) throw notFound('ticket');
  return ticket;
}

/** The hash of the lease token that completed a ticket, kept so a retried complete is recognised. */
type CompletedTicket = Ticket & { completedTokenHash?: string };

export interface LeaseCall {
  principal: Principal;
  ticketId: string;
  leaseToken: string;
}

export async function extendLease(ctx: AppContext, call: LeaseCall, leaseSeconds: number) {
  const { after } = await transitionTicket(
    ctx,
    () => loadHeld(ctx, call.principal, call.ticketId),
    (ticket, nowMs) => {
      assertLease(ticket, call.leaseToken, nowMs);
      return toExtended(ticket, new Date(nowMs + leaseSeconds * 1000).toISOString(), nowMs);
    },
  );
  return { ticketId: after.ticketId, status: after.status, leaseExpiresAt: after.leaseExpiresAt };
}

export async function completeTicket(ctx: AppContext, call: LeaseCall, resolution: string | undefined) {
  const { after } = await transitionTicket(
    ctx,
    () => loadHeld(ctx, call.principal, call.ticketId),
    (ticket, nowMs) => {
      const tokenHash = sha256Hex(call.leaseToken);
      // A retry of the call that completed it: the same answer, nothing changes.
      if (ticket.status === 'completed' && (ticket as CompletedTicket).completedTokenHash === tokenHash) {
        return ticket;
      }
      assertLease(ticket, call.leaseToken, nowMs);
      return { ...toCompleted(ticket, resolution, nowMs), completedTokenHash: tokenHash } as CompletedTicket;
    },
  );
  return { ticketId: after.ticketId, status: after.status, completedAt: after.completedAt };
}

/** Release (this provider may get it again) or reject (never this provider again): back to routing. */
export async function returnTicket(
  ctx: AppContext,
  call: LeaseCall,
  event: 'released' | 'rejected',
  reason: string | undefined,
) {
  const { after } = await transitionTicket(
    ctx,
    () => loadHeld(ctx, call.principal, call.ticketId),
    (ticket, nowMs) => {
      assertLease(ticket, call.leaseToken, nowMs);
      return toRerouting(ticket, event, nowMs, reason);
    },
  );
  await ctx.routingQueue.enqueue([after.ticketId]);
  return { ticketId: after.ticketId, status: after.status };
}
