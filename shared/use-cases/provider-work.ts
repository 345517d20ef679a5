import { CalendarCache, isOpenAt } from '../domain/calendar.js';
import { toCompleted, toExtended, toLeased, toRebalanced, toRerouting } from '../domain/lifecycle.js';
import { type PlacementSettings, workOrderClock } from '../domain/prediction.js';
import { pickRebalance, type RebalanceChoice } from '../domain/rebalance.js';
import { placementSettings } from '../domain/routing.js';
import { effortOf } from '../domain/ticket.js';
import type { Principal, Provider, ProviderSnapshot, Ticket, TicketAccess } from '../domain/types.js';
import { inWorkOrder } from '../domain/work-order.js';
import { conflict, notFound } from '../lib/errors.js';
import { randomToken, sha256Hex } from '../lib/hash.js';
import { getPolicy } from '../store/config-store.js';
import { getProvider, listProviders } from '../store/provider-store.js';
import { getPayloads, getTicket, type IndexedTicket, saveTicket } from '../store/ticket-store.js';
import type { AppContext } from './context.js';
import { loadQueue, queuedWorkOf } from './provider-snapshot.js';
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
  /** Effort units it takes of the provider's capacity (1 unless the ticket says more). */
  effort: number;
  payload: unknown;
}

/**
 * Up to `max` tickets for the provider: its own queue in work order (those that can still meet their due
 * first, by priority then due; the late ones after), then — work conservation — tickets queued, not yet
 * started, at providers that are closed or behind, which it may take (their capacity moves in the same
 * write). Each is taken by a conditional write, so racing callers never get the same ticket; a caller that
 * loses a race moves on. The items answered are listed earliest dueAt first, as API.md promises.
 */
export async function leaseTickets(
  ctx: AppContext,
  providerId: string,
  request: { max: number; leaseSeconds: number },
  /** Who leases, by which request: kept on each ticket leased, as its access audit trail. */
  access?: Omit<TicketAccess, 'at'>,
): Promise<LeasedItem[]> {
  const [provider, policy, queue] = await Promise.all([
    getProvider(ctx.table, providerId),
    getPolicy(ctx.table, 'routing'),
    loadQueue(ctx, providerId),
  ]);
  if (!provider) return [];
  const settings = placementSettings(policy);
  const leased: { ticket: Ticket; token: string }[] = [];
  const lease = async (ticket: Ticket, moved?: RebalanceChoice) => {
    const nowMs = ctx.now();
    const token = randomToken();
    const expiresAt = new Date(nowMs + request.leaseSeconds * 1000).toISOString();
    const taken = moved ? toRebalanced(ticket, provider, moved.reason, nowMs) : ticket;
    const saved = await saveTicket(
      ctx.table,
      ticket,
      toLeased(taken, sha256Hex(token), expiresAt, nowMs, access),
    );
    if (saved.ok) leased.push({ ticket: { ...taken, leaseExpiresAt: expiresAt }, token });
    return saved;
  };

  const calendar = calendars.get(provider, ctx.now());
  const clock = workOrderClock({ ...provider, routedLast24h: 0 }, calendar, ctx.now(), settings.lateAgingMs);
  for (const candidate of inWorkOrder(queue.map(withWork), clock)) {
    if (leased.length >= request.max) break;
    // The index is eventually consistent: act on the table's own copy.
    const ticket = await getTicket(ctx.table, candidate.ticket.ticketId);
    if (ticket?.status === 'queued' && ticket.providerId === providerId) await lease(ticket);
  }
  if (leased.length < request.max) {
    // Every candidate up to our free capacity: a caller that loses a race for one moves on to the next.
    for (const choice of await rebalanceChoices(ctx, provider, provider.capacity, settings)) {
      if (leased.length >= request.max) break;
      const ticket = await getTicket(ctx.table, choice.ticket.ticketId);
      if (ticket?.status !== 'queued' || ticket.providerId !== choice.ticket.providerId) continue;
      const saved = await lease(ticket, choice);
      // Our own slots are gone (another lease took them): stop taking work over.
      if (!saved.ok && saved.failedProvider) break;
    }
  }

  const payloads = await getPayloads(
    ctx.table,
    leased.map(({ ticket }) => ticket),
  );
  return leased
    .sort((a, b) => Date.parse(a.ticket.dueAt) - Date.parse(b.ticket.dueAt))
    .map(({ ticket, token }) => ({
      ticketId: ticket.ticketId,
      leaseToken: token,
      leaseExpiresAt: ticket.leaseExpiresAt ?? '',
      dueAt: ticket.dueAt,
      priority: ticket.priority,
      skill: ticket.skill,
      kind: ticket.kind,
      language: ticket.language ?? null,
      subject: ticket.subject ?? null,
      effort: effortOf(ticket),
      payload: payloads.get(ticket.ticketId) ?? null,
    }));
}

const calendars = new CalendarCache();

const withWork = (ticket: IndexedTicket) => ({ ...queuedWorkOf(ticket), ticket });

/**
 * Tickets this provider should take over from others' queues. Reads the other providers' queues only when
 * the taker is open and has room, and only of providers sharing one of its skills.
 */
async function rebalanceChoices(
  ctx: AppContext,
  taker: Provider,
  max: number,
  settings: PlacementSettings,
): Promise<RebalanceChoice[]> {
  const nowMs = ctx.now();
  if (taker.status !== 'active' || taker.openItems >= taker.capacity) return [];
  if (!isOpenAt(calendars.get(taker, nowMs), nowMs)) return [];
  const others = (await listProviders(ctx.table)).filter(
    (other) =>
      other.providerId !== taker.providerId &&
      other.openItems > 0 &&
      Object.keys(other.skills).some((skill) => Object.hasOwn(taker.skills, skill)),
  );
  if (others.length === 0) return [];
  const queues = await Promise.all(others.map((other) => loadQueue(ctx, other.providerId)));
  const providers = new Map<string, ProviderSnapshot>(
    others.map((other, i) => [
      other.providerId,
      { ...other, routedLast24h: 0, queue: (queues[i] ?? []).map(queuedWorkOf) },
    ]),
  );
  return pickRebalance({
    taker: { ...taker, routedLast24h: 0 },
    queued: queues
      .flat()
      .filter((ticket): ticket is IndexedTicket & { providerId: string } => !!ticket.providerId),
    providers,
    settings,
    nowMs,
    calendars,
    max,
  });
}

/** The lease rules: the caller's token, on a lease still running. Anything else is a 409 and changes nothing. */
export function assertLease(ticket: Ticket, leaseToken: string, nowMs: number): void {
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
export async function loadHeld(ctx: AppContext, principal: Principal, ticketId: string): Promise<Ticket> {
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
