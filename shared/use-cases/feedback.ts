// POST /v1/tickets/{id}/feedback: a rating of a completed ticket, or reopening it for rework (API.md,
// "Contracts, feedback and scorecards"). Both are ticket transitions written on condition of the version
// read; the stream counts them into the contract KPIs exactly once.
import { DEFAULT_REWORK_SECONDS, type FeedbackRequest, toRated, toReopened } from '../domain/feedback.js';
import type { KpiTicket } from '../domain/kpi-counts.js';
import { ticketViewFor } from '../domain/ticket.js';
import type { Principal, Ticket } from '../domain/types.js';
import { AppError, conflict } from '../lib/errors.js';
import { getPolicy } from '../store/config-store.js';
import { getProvider } from '../store/provider-store.js';
import { listSlaPolicies } from '../store/sla-store.js';
import { saveTicket } from '../store/ticket-store.js';
import type { AppContext } from './context.js';
import { loadVisibleTicket } from './read-ticket.js';
import { transitionTicket } from './transition.js';

const ATTEMPTS = 4;

/** The ticket as answered: its view shows the feedback and how often it was reopened. */
const feedbackView = (principal: Principal, ticket: Ticket, nowMs: number) =>
  ticketViewFor(principal, ticket, nowMs);

export async function giveFeedback(
  ctx: AppContext,
  principal: Principal,
  ticketId: string,
  body: FeedbackRequest,
) {
  const load = () => loadVisibleTicket(ctx, principal, ticketId);
  if (body.reopen) return reopenTicket(ctx, principal, load, body.reason ?? '');
  const { after } = await transitionTicket(ctx, load, (ticket, nowMs) => {
    if (ticket.status !== 'completed')
      throw conflict(`only a completed ticket is rated; this one is ${ticket.status}`);
    return toRated(ticket, { qaScore: body.qaScore, csat: body.csat, comment: body.comment }, nowMs);
  });
  return feedbackView(principal, after, ctx.now());
}

/** Rework time of the ticket's SLA policy (a named one, else the default policy), else a day. */
async function reworkSecondsFor(ctx: AppContext, ticket: Ticket) {
  const [policies, defaultPolicy] = await Promise.all([
    listSlaPolicies(ctx.table),
    getPolicy(ctx.table, 'sla'),
  ]);
  const named = policies.find((policy) => policy.policyId === ticket.sla.policyId);
  return {
    reworkSeconds: named?.reworkSeconds ?? defaultPolicy.reworkSeconds ?? DEFAULT_REWORK_SECONDS,
    atRiskFraction: named?.atRiskFraction ?? defaultPolicy.atRiskFraction,
  };
}

/**
 * Back to the provider that completed it when that provider is active, has the skill and room (its capacity
 * is taken in the same conditional write); else back to routing like any other ticket. Reopening again with
 * the same reason while the rework is open answers the ticket as it is (a retried call reopens once).
 */
async function reopenTicket(
  ctx: AppContext,
  principal: Principal,
  load: () => Promise<Ticket>,
  reason: string,
) {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const ticket = await load();
    if (ticket.status !== 'completed') {
      const last = [...ticket.history].reverse().find((entry) => entry.event === 'reopened');
      if (last && last.reason === reason && (ticket as KpiTicket).reopened)
        return feedbackView(principal, ticket, ctx.now());
      throw conflict(`only a completed ticket is reopened; this one is ${ticket.status}`);
    }
    const [rework, provider] = await Promise.all([
      reworkSecondsFor(ctx, ticket),
      ticket.providerId ? getProvider(ctx.table, ticket.providerId) : undefined,
    ]);
    const canTake = provider && provider.status === 'active' && (provider.skills[ticket.skill] ?? 0) > 0;
    const nowMs = ctx.now();
    for (const providerId of canTake ? [provider.providerId, undefined] : [undefined]) {
      const next = toReopened(ticket, { reason, ...rework, providerId }, nowMs);
      const saved = await saveTicket(ctx.table, ticket, next);
      if (saved.ok) {
        if (next.status === 'received') await ctx.routingQueue.enqueue([next.ticketId]);
        return feedbackView(principal, { ...next, version: ticket.version + 1 }, nowMs);
      }
      if (saved.staleTicket) break; // changed meanwhile: read it again
      // The provider has no room (or is no longer active): routed like any other ticket.
    }
  }
  throw new AppError('conflict', 'the ticket is changing too fast; retry');
}
