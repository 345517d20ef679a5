// Holds (issue 14): the leasing provider waits for someone else, the SLA clock stops; the source, an
// admin or the holding provider resumes it, or it resumes by itself at `until` (timer-rules.ts).
import { DEFAULT_MAX_HOLD_SECONDS, type ResumedBy, toOnHold, toResumed } from '../domain/lifecycle.js';
import { effortOf, ticketViewFor } from '../domain/ticket.js';
import type { HoldReason, Principal, Ticket } from '../domain/types.js';
import { AppError, conflict, notFound } from '../lib/errors.js';
import { sha256Hex } from '../lib/hash.js';
import { getPolicy } from '../store/config-store.js';
import { getProvider } from '../store/provider-store.js';
import { listSlaPolicies } from '../store/sla-store.js';
import { getTicket, saveTicket } from '../store/ticket-store.js';
import type { AppContext } from './context.js';
import { assertLease, type LeaseCall, loadHeld } from './provider-work.js';
import { canSeeTicket } from './read-ticket.js';
import { transitionTicket } from './transition.js';

/** The longest hold the ticket's SLA policy allows (its own policy's, else the default policy's, else 7 days). */
async function maxHoldSecondsOf(ctx: AppContext, ticket: Ticket): Promise<number> {
  const [named, fallback] = await Promise.all([listSlaPolicies(ctx.table), getPolicy(ctx.table, 'sla')]);
  const own = named.find((policy) => policy.policyId === ticket.sla.policyId);
  return own?.maxHoldSeconds ?? fallback.maxHoldSeconds ?? DEFAULT_MAX_HOLD_SECONDS;
}

/** The hash of the lease token that put a ticket on hold, kept so a retried hold is recognised. */
type HeldTicket = Ticket & { heldTokenHash?: string };

/** The leasing provider puts its ticket on hold: the lease ends, the provider keeps it, the SLA clock stops. */
export async function holdTicket(
  ctx: AppContext,
  call: LeaseCall,
  request: { reason: HoldReason; until?: string },
) {
  const first = await loadHeld(ctx, call.principal, call.ticketId);
  const [provider, maxHoldSeconds] = await Promise.all([
    getProvider(ctx.table, first.providerId ?? ''),
    maxHoldSecondsOf(ctx, first),
  ]);
  if (request.until !== undefined) {
    const untilMs = Date.parse(request.until);
    const problem =
      untilMs <= ctx.now()
        ? 'must be in the future'
        : untilMs > ctx.now() + maxHoldSeconds * 1000
          ? `at most maxHoldSeconds (${maxHoldSeconds}) from now`
          : undefined;
    if (problem)
      throw new AppError('validation_error', `until ${problem}`, [{ path: 'until', message: problem }]);
  }
  const { after } = await transitionTicket(
    ctx,
    () => loadHeld(ctx, call.principal, call.ticketId),
    (ticket, nowMs) => {
      const tokenHash = sha256Hex(call.leaseToken);
      // A retry of the call that held it: the same answer, nothing changes.
      if (ticket.status === 'on_hold' && (ticket as HeldTicket).heldTokenHash === tokenHash) return ticket;
      assertLease(ticket, call.leaseToken, nowMs);
      const held = toOnHold(
        ticket,
        {
          reason: request.reason,
          until: request.until,
          keepsCapacity: provider?.holdKeepsCapacity ?? true,
          maxHoldSeconds,
        },
        nowMs,
      );
      return { ...held, heldTokenHash: tokenHash } as HeldTicket;
    },
  );
  return ticketViewFor(call.principal, after, ctx.now());
}

/** The source, an admin, or the provider holding it. */
async function loadResumable(ctx: AppContext, principal: Principal, ticketId: string): Promise<Ticket> {
  const ticket = /^[0-9a-f]{32}$/.test(ticketId) ? await getTicket(ctx.table, ticketId) : undefined;
  if (!ticket) throw notFound('ticket');
  const held = principal.role === 'provider' && ticket.providerId === principal.providerId;
  if (!held && !canSeeTicket(principal, ticket)) throw notFound('ticket');
  return ticket;
}

/** The last hold or resume in the history: a resume already made answers again without a change. */
const lastHoldEvent = (ticket: Ticket) =>
  ticket.history.findLast((entry) => entry.event === 'held' || entry.event === 'resumed')?.event;

const ATTEMPTS = 4;

/**
 * Off hold: back to `queued` at the same provider, every running SLA target's due later by the paused
 * time. A provider that let the capacity go and has no room now: the ticket is routed again instead. A
 * second resume of the same hold (a retry, or two callers at once) answers the resumed ticket unchanged.
 */
export async function resumeTicket(
  ctx: AppContext,
  principal: Principal,
  ticketId: string,
  note: string | undefined,
) {
  const by: ResumedBy = principal.role;
  let toRouting = false;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const ticket = await loadResumable(ctx, principal, ticketId);
    if (ticket.status !== 'on_hold') {
      if (
        lastHoldEvent(ticket) === 'resumed' &&
        ticket.status !== 'completed' &&
        ticket.status !== 'cancelled'
      )
        return { ...ticketViewFor(principal, ticket, ctx.now()), resumed: false };
      throw conflict(`the ticket is ${ticket.status}, not on hold`);
    }
    if (!ticket.hold?.keepsCapacity && !toRouting) {
      const provider = await getProvider(ctx.table, ticket.providerId ?? '');
      toRouting =
        !provider ||
        provider.status !== 'active' ||
        provider.openItems + effortOf(ticket) > provider.capacity;
    }
    const nowMs = ctx.now();
    const next = toResumed(ticket, by, nowMs, { toRouting, note });
    const saved = await saveTicket(ctx.table, ticket, next);
    if (saved.ok) {
      if (toRouting) await ctx.routingQueue.enqueue([ticket.ticketId]);
      return { ...ticketViewFor(principal, { ...next, version: ticket.version + 1 }, nowMs), resumed: true };
    }
    // Its provider filled up meanwhile: routed again. A changed ticket: the rules again on what is there.
    if (saved.failedProvider && !saved.staleTicket) toRouting = true;
  }
  throw new AppError('conflict', 'the ticket is changing too fast; retry');
}
