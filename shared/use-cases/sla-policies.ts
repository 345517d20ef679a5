// SLA policies (API.md "SLA policies: conditions, business hours, targets"): CRUD, first response,
// reprioritisation and attainment per target.
import { CalendarCache } from '../domain/calendar.js';
import { toReprioritized, toRerouting, toResponded } from '../domain/lifecycle.js';
import { willMissDue } from '../domain/prediction.js';
import { placementSettings } from '../domain/routing.js';
import { TERMINAL_STATUSES } from '../domain/ticket.js';
import {
  reprioritizedSla,
  type SlaPolicyDefinition,
  slaMetrics,
  type StoredSlaPolicy,
  ticketSla,
} from '../domain/sla.js';
import type { Principal, Priority, Ticket } from '../domain/types.js';
import { AppError, conflict, notFound } from '../lib/errors.js';
import { sha256Hex } from '../lib/hash.js';
import { getPolicy } from '../store/config-store.js';
import { getProvider } from '../store/provider-store.js';
import {
  closedTicketsCreatedBetween,
  deleteSlaPolicy,
  listSlaPolicies,
  putSlaPolicy,
} from '../store/sla-store.js';
import { listProviders } from '../store/provider-store.js';
import { getTicket, getTickets, ticketsHoldingCapacity, ticketsOnTimers } from '../store/ticket-store.js';
import { type AppContext, isoNow } from './context.js';
import { loadQueue, queuedWorkOf } from './provider-snapshot.js';
import { loadVisibleTicket } from './read-ticket.js';
import { transitionTicket } from './transition.js';

export const listPolicies = (ctx: AppContext) => listSlaPolicies(ctx.table);

export async function readPolicy(ctx: AppContext, policyId: string): Promise<StoredSlaPolicy> {
  const found = (await listSlaPolicies(ctx.table)).find((policy) => policy.policyId === policyId);
  if (!found) throw notFound('SLA policy');
  return found;
}

export const savePolicy = (ctx: AppContext, policyId: string, definition: SlaPolicyDefinition) =>
  putSlaPolicy(ctx.table, policyId, definition, isoNow(ctx));

export async function removePolicy(ctx: AppContext, policyId: string): Promise<void> {
  if (!(await deleteSlaPolicy(ctx.table, policyId))) throw notFound('SLA policy');
}

/** The leasing provider reports its first response: once, on a running lease. */
export async function respondToTicket(
  ctx: AppContext,
  principal: Principal,
  ticketId: string,
  leaseToken: string,
) {
  const { after } = await transitionTicket(
    ctx,
    async () => {
      const ticket = /^[0-9a-f]{32}$/.test(ticketId) ? await getTicket(ctx.table, ticketId) : undefined;
      const mine =
        principal.role === 'admin' ||
        (principal.role === 'provider' && ticket?.providerId === principal.providerId);
      if (!ticket || !mine) throw notFound('ticket');
      return ticket;
    },
    (ticket, nowMs) => {
      if (ticket.status !== 'leased') throw conflict(`the ticket is ${ticket.status}, not leased`);
      if (ticket.leaseTokenHash !== sha256Hex(leaseToken))
        throw conflict('the lease token does not match the current lease');
      if (!ticket.leaseExpiresAt || Date.parse(ticket.leaseExpiresAt) <= nowMs)
        throw conflict('the lease has expired');
      if (ticket.respondedAt) throw conflict('the first response was already reported');
      return toResponded(ticket, nowMs);
    },
  );
  return {
    ticketId: after.ticketId,
    respondedAt: after.respondedAt,
    firstResponse: after.sla.targets?.firstResponse
      ? { dueAt: after.sla.targets.firstResponse.dueAt, breached: after.sla.targets.firstResponse.breached }
      : null,
  };
}

const calendars = new CalendarCache();

/**
 * A new priority: the targets are recomputed from createdAt under the policy that matches now; a queued
 * ticket whose provider can no longer meet the new due goes back to routing; a leased one keeps its lease.
 */
export async function reprioritizeTicket(
  ctx: AppContext,
  principal: Principal,
  ticketId: string,
  priority: Priority,
) {
  const [slaPolicy, policies, routingPolicy] = await Promise.all([
    getPolicy(ctx.table, 'sla'),
    listSlaPolicies(ctx.table),
    getPolicy(ctx.table, 'routing'),
  ]);
  let rerouted = false;
  const { after } = await transitionTicket(
    ctx,
    () => loadVisibleTicket(ctx, principal, ticketId),
    (ticket, nowMs) => {
      if (ticket.status === 'completed' || ticket.status === 'cancelled')
        throw conflict(`a ${ticket.status} ticket cannot be reprioritised`);
      if (ticket.priority === priority) return ticket;
      const next = ticketSla({
        subject: { sourceId: ticket.sourceId, kind: ticket.kind, skill: ticket.skill, priority },
        createdAt: ticket.createdAt,
        // A due the source gave itself stays its due.
        givenDueAt: ticket.sla.dueGiven ? ticket.dueAt : undefined,
        defaultPolicy: slaPolicy,
        policies,
      });
      return toReprioritized(ticket, priority, reprioritizedSla(ticket, next, nowMs), nowMs);
    },
  );
  if (after.status === 'queued' && after.providerId) {
    rerouted = await rerouteIfMissed(ctx, after, placementSettings(routingPolicy));
  }
  return {
    ticketId: after.ticketId,
    priority: after.priority,
    dueAt: after.dueAt,
    status: rerouted ? 'received' : after.status,
  };
}

async function rerouteIfMissed(
  ctx: AppContext,
  ticket: Ticket,
  settings: ReturnType<typeof placementSettings>,
): Promise<boolean> {
  const provider = await getProvider(ctx.table, ticket.providerId ?? '');
  const nowMs = ctx.now();
  let miss = true;
  if (provider) {
    const queue = (await loadQueue(ctx, provider.providerId)).map(queuedWorkOf);
    try {
      miss = willMissDue(
        { ...provider, routedLast24h: 0, queue },
        queuedWorkOf(ticket),
        calendars.get(provider, nowMs),
        nowMs,
        settings,
      );
    } catch {
      miss = true;
    }
  }
  if (!miss) return false;
  try {
    await transitionTicket(
      ctx,
      async () => (await getTicket(ctx.table, ticket.ticketId)) ?? ticket,
      (current, now) =>
        current.status === 'queued' && current.providerId === ticket.providerId
          ? toRerouting(current, 'rerouted', now, 'reprioritized')
          : current,
    );
  } catch (error) {
    if (error instanceof AppError) return false;
    throw error;
  }
  await ctx.routingQueue.enqueue([ticket.ticketId]);
  return true;
}

const DAY_MS = 86_400_000;

/** Every ticket created in [from, to]: closed ones by the status index, open ones from where they wait. */
async function ticketsCreatedBetween(ctx: AppContext, from: string, to: string): Promise<Ticket[]> {
  const providers = await listProviders(ctx.table);
  const [closed, holding, waiting] = await Promise.all([
    closedTicketsCreatedBetween(ctx.table, TERMINAL_STATUSES, from, to),
    ticketsHoldingCapacity(
      ctx.table,
      providers.map((provider) => provider.providerId),
    ),
    ticketsOnTimers(ctx.table),
  ]);
  const open = [...holding, ...waiting]
    .filter((ticket) => ticket.createdAt >= from && ticket.createdAt <= to)
    .map((ticket) => ticket.ticketId);
  return [...closed, ...(await getTickets(ctx.table, open))];
}

/** Attainment per policy, priority and target over the tickets created in [from, to] (default: 7 days). */
export async function slaMetricsReport(
  ctx: AppContext,
  query: { from?: string; to?: string; policyId?: string },
) {
  const nowMs = ctx.now();
  const to = query.to ? new Date(query.to) : new Date(nowMs);
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - 7 * DAY_MS);
  if (from > to)
    throw new AppError('validation_error', 'from is after to', [{ path: 'from', message: 'after to' }]);
  const tickets = await ticketsCreatedBetween(ctx, from.toISOString(), to.toISOString());
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    items: slaMetrics(tickets, nowMs, query.policyId),
  };
}
