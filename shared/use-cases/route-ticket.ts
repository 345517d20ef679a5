import type { CalendarCache } from '../domain/calendar.js';
import { toLost, toParked, toQueued } from '../domain/lifecycle.js';
import { effortOf } from '../domain/ticket.js';
import { decideRoute, effectiveMinProficiency } from '../domain/routing.js';
import type { RoutingPolicy } from '../domain/schemas.js';
import type { ProviderSnapshot, RoutingExplanation, Ticket } from '../domain/types.js';
import { getProvider } from '../store/provider-store.js';
import { getTicket, saveTicket, saveTicketsTaking } from '../store/ticket-store.js';
import type { AppContext } from './context.js';
import { queuedWorkOf, snapshotOf } from './provider-snapshot.js';

export type RouteOutcome = 'queued' | 'parked' | 'skipped' | 'raced';

/** The explanation kept on a ticket lists at most this many candidates (eligible ones first). */
export const STORED_CANDIDATES = 25;
/**
 * A newly parked ticket is tried again this soon (a delayed routing message), well before the sweeper's
 * 60 s retry: a provider created or a slot freed while the indexes lagged is found within seconds.
 */
export const FIRST_PARKED_RETRY_SECONDS = 10;
/** Reservations tried (each after a fresh decision) before a ticket whose candidates keep filling up is parked. */
const RESERVE_ATTEMPTS = 8;

export interface RouterState {
  /** The router's in-memory view, updated after each reservation so one batch respects capacity and shares. */
  providers: Map<string, ProviderSnapshot>;
  policy: RoutingPolicy;
  calendars: CalendarCache;
  /**
   * Reloads the providers. Called before parking a ticket, so a provider
   * added or opened since the snapshot was taken is never missed: at least
   * when the snapshot is older than the ticket's last change (`changedAtMs`).
   */
  refresh?: (changedAtMs: number) => Promise<Map<string, ProviderSnapshot>>;
}

const trimmed = (explanation: RoutingExplanation): RoutingExplanation => ({
  ...explanation,
  candidates: explanation.candidates.slice(0, STORED_CANDIDATES),
});

/**
 * Decide and reserve for one ticket. The reservation is one transaction:
 * the provider's openItems grows only while below capacity and active, and
 * the ticket moves only from the version that was read. A full provider
 * sends us to the next candidate; a moved ticket means another router won.
 */
export async function routeTicket(
  ctx: AppContext,
  state: RouterState,
  ticketId: string,
  /** The ticket as read (consistently) with the rest of its batch, or null if it was not found; else read here. */
  preloaded?: Ticket | null,
): Promise<RouteOutcome> {
  const ticket = preloaded === undefined ? await getTicket(ctx.table, ticketId) : (preloaded ?? undefined);
  if (!ticket || (ticket.status !== 'received' && ticket.status !== 'parked')) return 'skipped';
  const nowMs = ctx.now();
  const routable = routableOf(ticket, state, nowMs);
  const decide = () => decideFor(routable, state, nowMs);
  let decision = decide();
  if (decision.outcome === 'park' && state.refresh) {
    state.providers = await state.refresh(Date.parse(ticket.updatedAt));
    decision = decide();
  }
  // A refused reservation means our view of that provider was stale: refresh it
  // and decide again, so the explanation stored is always the one acted on.
  for (let attempt = 0; attempt < RESERVE_ATTEMPTS && decision.outcome === 'route'; attempt++) {
    const providerId = decision.order[0] as string;
    const provider = state.providers.get(providerId) as ProviderSnapshot;
    const queued = toQueued(
      routable,
      provider,
      trimmed(decision.explanation),
      decision.bestEffortLate,
      nowMs,
    );
    // The snapshot's capacity: a reservation of several effort units is conditioned on it (never exceeded).
    const saved = await saveTicket(ctx.table, ticket, decision.lost ? toLost(queued, nowMs) : queued, {
      capacityOf: (id) => state.providers.get(id)?.capacity,
    });
    if (saved.ok) {
      tookOne(provider, ticket);
      return 'queued';
    }
    if (saved.staleTicket) return 'raced';
    await refreshProvider(ctx, state, providerId);
    decision = decide();
  }
  const parkedState = toParked(routable, trimmed(decision.explanation), nowMs);
  const parked = await saveTicket(
    ctx.table,
    ticket,
    decision.lost ? toLost(parkedState, nowMs) : parkedState,
  );
  if (!parked.ok) return 'raced';
  if (ticket.status !== 'parked')
    await ctx.routingQueue.enqueue([ticket.ticketId], { delaySeconds: FIRST_PARKED_RETRY_SECONDS });
  return 'parked';
}

/** The ticket as the router judges it now: its minimum proficiency relaxed by how long it has been parked. */
function routableOf(ticket: Ticket, state: RouterState, nowMs: number): Ticket {
  return {
    ...ticket,
    minProficiency: effectiveMinProficiency(
      ticket.requestedMinProficiency ?? ticket.minProficiency,
      ticket.parkedAt ? Date.parse(ticket.parkedAt) : undefined,
      nowMs,
      state.policy.relaxProficiencyAfterSeconds,
    ),
  };
}

const decideFor = (routable: Ticket, state: RouterState, nowMs: number) =>
  decideRoute({
    ticket: routable,
    providers: [...state.providers.values()],
    policy: state.policy,
    nowMs,
    calendars: state.calendars,
    maxCandidates: STORED_CANDIDATES,
  });

/**
 * A batch's tickets decided in order against the in-memory view, and those
 * going to the same provider reserved together: one transaction per provider
 * (its capacity taken once for all of them), so concurrent routers contend
 * for a provider's counter once per batch rather than once per ticket. The
 * decisions are those one-by-one routing would make (each sees the takes
 * before it). A group refused (a ticket moved, the provider full) is left to
 * routeTicket, one by one, after a fresh look at that provider; so is every
 * ticket that would park. Returns the tickets queued, and those to read
 * again (their group's write failed without an answer).
 */
export async function routeTogether(
  ctx: AppContext,
  state: RouterState,
  tickets: readonly Ticket[],
): Promise<{ queued: Set<string>; reread: Set<string> }> {
  const nowMs = ctx.now();
  const groups = new Map<string, { previous: Ticket; next: Ticket }[]>();
  for (const ticket of tickets) {
    if (ticket.status !== 'received' && ticket.status !== 'parked') continue;
    const routable = routableOf(ticket, state, nowMs);
    const decision = decideFor(routable, state, nowMs);
    if (decision.outcome !== 'route') continue;
    const providerId = decision.order[0] as string;
    const provider = state.providers.get(providerId) as ProviderSnapshot;
    const queued = toQueued(
      routable,
      provider,
      trimmed(decision.explanation),
      decision.bestEffortLate,
      nowMs,
    );
    tookOne(provider, ticket);
    const group = groups.get(providerId) ?? [];
    group.push({ previous: ticket, next: decision.lost ? toLost(queued, nowMs) : queued });
    groups.set(providerId, group);
  }
  const queued = new Set<string>();
  const reread = new Set<string>();
  for (const [providerId, moves] of groups) {
    let saved = false;
    try {
      saved = await saveTicketsTaking(
        ctx.table,
        moves,
        providerId,
        state.providers.get(providerId)?.capacity,
      );
    } catch {
      for (const { next } of moves) reread.add(next.ticketId);
    }
    if (saved) for (const { next } of moves) queued.add(next.ticketId);
    // Its takes were only in memory: the provider as it really is, for the one-by-one routing.
    else await refreshProvider(ctx, state, providerId);
  }
  return { queued, reread };
}

/** The in-memory view after a reservation, so the rest of the batch sees the units taken, the share and the queue. */
function tookOne(provider: ProviderSnapshot, ticket: Ticket): void {
  provider.openItems += effortOf(ticket);
  provider.routedLast24h += 1;
  if (provider.routedBySkill) {
    const routed = Object.hasOwn(provider.routedBySkill, ticket.skill)
      ? provider.routedBySkill[ticket.skill]
      : 0;
    provider.routedBySkill[ticket.skill] = (routed ?? 0) + 1;
  }
  provider.queue?.push(queuedWorkOf(ticket));
}

/** After a refused reservation: the provider as it really is now. */
async function refreshProvider(ctx: AppContext, state: RouterState, providerId: string): Promise<void> {
  const fresh = await getProvider(ctx.table, providerId);
  if (!fresh) state.providers.delete(providerId);
  else state.providers.set(providerId, await snapshotOf(ctx, fresh));
}
