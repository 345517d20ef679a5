// Pure rules about a ticket's state: creation, history, timers and how it is shown.
import { sha256Hex } from '../lib/hash.js';
import type { SlaPolicy, TicketInput } from './schemas.js';
import { pausedSecondsIn, runningTargets, SLA_TARGETS, type StoredSlaPolicy, ticketSla } from './sla.js';
import type { KpiTicket } from './kpi-counts.js';
import type { HistoryEntry, Principal, SlaState, Ticket, TicketStatus } from './types.js';

/** Enough history to explain a ticket's life; older entries are dropped (events out keep all). */
export const HISTORY_LIMIT = 50;
/** A received or parked ticket is looked at again after this long, whatever happens. */
export const RETRY_SECONDS = 60;

export const OPEN_STATUSES: readonly TicketStatus[] = ['received', 'queued', 'leased', 'parked', 'on_hold'];
export const TERMINAL_STATUSES: readonly TicketStatus[] = ['completed', 'cancelled'];
export const isOpen = (status: TicketStatus) => OPEN_STATUSES.includes(status);
/**
 * Whether a ticket holds its provider's capacity: queued and leased ones do; one on hold does when its
 * provider's `holdKeepsCapacity` said so at hold time (recorded on the ticket).
 */
export const holdsCapacity = (ticket: Pick<Ticket, 'status' | 'hold'>): boolean =>
  ticket.status === 'queued' ||
  ticket.status === 'leased' ||
  (ticket.status === 'on_hold' && (ticket.hold?.keepsCapacity ?? true));
/** Effort units a ticket takes of a provider's capacity and throughput (absent: 1). */
export const effortOf = (ticket: { effort?: number }): number => ticket.effort ?? 1;
/** The units of its provider's capacity a ticket holds now. */
export const capacityUnits = (ticket: Pick<Ticket, 'status' | 'hold' | 'effort'>): number =>
  holdsCapacity(ticket) ? effortOf(ticket) : 0;

/** A ticket's effort: its own, else the SLA policy's default for its skill, else 1 (kept only above 1). */
export function effortFor(input: Pick<TicketInput, 'effort' | 'skill'>, policy: SlaPolicy): number {
  const bySkill = policy.effortBySkill;
  return (
    input.effort ?? (bySkill && Object.hasOwn(bySkill, input.skill) ? bySkill[input.skill] : undefined) ?? 1
  );
}

/** The same (source, external id) always gives the same ticket id: intake is one conditional put. */
export const ticketIdFor = (sourceId: string, externalId: string): string =>
  sha256Hex(`${sourceId}\u0000${externalId}`).slice(0, 32);

const addSeconds = (iso: string, seconds: number) => new Date(Date.parse(iso) + seconds * 1000).toISOString();

export function dueAtFor(
  input: Pick<TicketInput, 'dueAt' | 'priority'>,
  createdAt: string,
  policy: SlaPolicy,
): string {
  return input.dueAt
    ? new Date(input.dueAt).toISOString()
    : addSeconds(createdAt, policy.targets[input.priority]);
}

export function atRiskAtFor(createdAt: string, dueAt: string, atRiskFraction: number): string {
  const created = Date.parse(createdAt);
  const window = Math.max(0, Date.parse(dueAt) - created);
  return new Date(created + Math.floor(window * atRiskFraction)).toISOString();
}

export function newTicket(args: {
  sourceId: string;
  input: TicketInput;
  bodyHash: string;
  now: string;
  slaPolicy: SlaPolicy;
  /** The SLA policies (PUT /v1/sla-policies); the first that matches sets the targets, else slaPolicy. */
  slaPolicies?: readonly StoredSlaPolicy[];
}): Ticket {
  const { sourceId, input, bodyHash, now, slaPolicy } = args;
  const ticketId = ticketIdFor(sourceId, input.externalId);
  const { dueAt, sla } = ticketSla({
    subject: { sourceId, kind: input.kind, skill: input.skill, priority: input.priority },
    createdAt: now,
    givenDueAt: input.dueAt,
    defaultPolicy: slaPolicy,
    policies: args.slaPolicies ?? [],
  });
  const ticket: Ticket = {
    ticketId,
    sourceId,
    externalId: input.externalId,
    kind: input.kind,
    skill: input.skill,
    priority: input.priority,
    language: input.language,
    minProficiency: input.minProficiency,
    requestedMinProficiency: input.minProficiency,
    dataClassification: input.dataClassification,
    dataRegion: input.dataRegion,
    subject: input.subject,
    ...(effortFor(input, slaPolicy) > 1 ? { effort: effortFor(input, slaPolicy) } : {}),
    bodyHash,
    status: 'received',
    createdAt: now,
    dueAt,
    attempts: 0,
    version: 1,
    sla,
    history: [],
    seq: 0,
    updatedAt: now,
  };
  return withEvent(ticket, { at: now, event: 'received' });
}

/** Append one history entry (bounded) and bump the sequence that events out follow. */
export function withEvent(ticket: Ticket, entry: Omit<HistoryEntry, 'seq'>): Ticket {
  const seq = ticket.seq + 1;
  const history = [...ticket.history, { seq, ...entry }].slice(-HISTORY_LIMIT);
  const next = { ...ticket, seq, history, updatedAt: entry.at };
  return { ...next, nextCheckAt: nextCheckAt(next) };
}

/** The next instant the sweeper must look at a ticket, or undefined once it is closed. */
export function nextCheckAt(ticket: Ticket): string | undefined {
  if (!isOpen(ticket.status)) return undefined;
  // On hold the SLA clock is stopped: only the hold's own end (resume at until, or expiry) is watched.
  if (ticket.status === 'on_hold' && ticket.hold)
    return [ticket.hold.until, ticket.hold.expiresAt].filter((at): at is string => !!at).sort()[0];
  const instants: string[] = [];
  if (ticket.status === 'received') instants.push(addSeconds(ticket.updatedAt, RETRY_SECONDS));
  if (ticket.status === 'parked') instants.push(addSeconds(ticket.updatedAt, RETRY_SECONDS));
  if (ticket.status === 'leased' && ticket.leaseExpiresAt) instants.push(ticket.leaseExpiresAt);
  if (ticket.sla.state === 'on_track') instants.push(ticket.sla.atRiskAt);
  if (!ticket.sla.breached) instants.push(ticket.dueAt);
  // Pickup and first response: a timer at each one's at-risk instant and due, until it is met.
  for (const [name, target] of runningTargets(ticket)) {
    if (name === 'resolution') continue;
    if (!target.atRisk) instants.push(target.atRiskAt);
    if (!target.breached) instants.push(target.dueAt);
  }
  return instants.sort()[0];
}

/** The clock of a ticket on hold stands still at the hold's start. */
const slaNowMs = (ticket: Ticket, nowMs: number) =>
  ticket.status === 'on_hold' && ticket.hold ? Math.min(nowMs, Date.parse(ticket.hold.since)) : nowMs;

export function slaStateAt(ticket: Ticket, atMs: number): SlaState {
  const nowMs = slaNowMs(ticket, atMs);
  if (ticket.status === 'completed') return ticket.sla.breached ? 'breached' : 'met';
  if (ticket.sla.breached || nowMs > Date.parse(ticket.dueAt)) return 'breached';
  if (ticket.sla.state === 'lost') return 'lost';
  if (ticket.sla.state === 'at_risk' || nowMs >= Date.parse(ticket.sla.atRiskAt)) return 'at_risk';
  return 'on_track';
}

/** Each target as API.md shows it: due, when met, breached (a running target past its due is breached). */
function targetsView(ticket: Ticket, atMs: number) {
  const nowMs = slaNowMs(ticket, atMs);
  const targets = ticket.sla.targets ?? {
    resolution: {
      dueAt: ticket.dueAt,
      atRiskAt: ticket.sla.atRiskAt,
      seconds: 0,
      breached: ticket.sla.breached,
    },
  };
  return Object.fromEntries(
    SLA_TARGETS.flatMap((name) => {
      const target = targets[name];
      if (!target) return [];
      const metAt = target.metAt ?? (name === 'resolution' ? ticket.completedAt : undefined);
      const breached = target.breached || (!metAt && nowMs > Date.parse(target.dueAt));
      return [[name, { dueAt: target.dueAt, ...(metAt ? { metAt } : {}), breached }]];
    }),
  );
}

/** The ticket as API.md shows it. */
export function ticketView(ticket: Ticket, nowMs: number) {
  const state = slaStateAt(ticket, nowMs);
  return {
    ticketId: ticket.ticketId,
    sourceId: ticket.sourceId,
    externalId: ticket.externalId,
    status: ticket.status,
    providerId: ticket.providerId ?? null,
    kind: ticket.kind,
    skill: ticket.skill,
    priority: ticket.priority,
    language: ticket.language ?? null,
    minProficiency: ticket.minProficiency,
    dataClassification: ticket.dataClassification,
    dataRegion: ticket.dataRegion ?? null,
    subject: ticket.subject ?? null,
    createdAt: ticket.createdAt,
    dueAt: ticket.dueAt,
    routedAt: ticket.routedAt ?? null,
    completedAt: ticket.completedAt ?? null,
    leaseExpiresAt: ticket.status === 'leased' ? (ticket.leaseExpiresAt ?? null) : null,
    sla: {
      state,
      breached: state === 'breached',
      policyId: ticket.sla.policyId ?? 'default',
      // A hold running now counts as it goes: the clock shows what the due will move by at resume.
      pausedSeconds:
        (ticket.sla.pausedSeconds ?? 0) +
        (ticket.status === 'on_hold' && ticket.hold
          ? pausedSecondsIn(ticket.sla.calendar, Date.parse(ticket.hold.since), nowMs)
          : 0),
      targets: targetsView(ticket, nowMs),
    },
    respondedAt: ticket.respondedAt ?? null,
    effort: effortOf(ticket),
    hold: ticket.hold
      ? {
          reason: ticket.hold.reason,
          since: ticket.hold.since,
          until: ticket.hold.until ?? null,
          expiresAt: ticket.hold.expiresAt,
          keepsCapacity: ticket.hold.keepsCapacity,
        }
      : null,
    /** The rating of its latest completion, and how often it was reopened for rework (issue 10). */
    feedback: (ticket as KpiTicket).feedback ?? null,
    reopened: (ticket as KpiTicket).reopened ?? 0,
    attempts: ticket.attempts,
    routing: ticket.routing ?? null,
    history: ticket.history.map(({ seq: _seq, ...entry }) => entry),
  };
}

export type TicketView = ReturnType<typeof ticketView>;

/**
 * What each role may see of a ticket (vendors never see each other): admin
 * everything; a source the routing outcome (provider, reason, when) without
 * the candidates; a provider its own candidate entry only, and of the history
 * only what happened at it (other entries keep their time and event).
 */
export function ticketViewFor(principal: Principal, ticket: Ticket, nowMs: number) {
  const view = ticketView(ticket, nowMs);
  if (principal.role === 'admin') return view;
  const routing = view.routing;
  if (principal.role === 'source') {
    return {
      ...view,
      routing: routing && {
        decidedAt: routing.decidedAt,
        providerId: routing.providerId,
        reason: routing.reason,
      },
    };
  }
  const own = principal.providerId;
  return {
    ...view,
    routing: routing && {
      decidedAt: routing.decidedAt,
      providerId: routing.providerId === own ? own : null,
      reason: routing.providerId === own ? routing.reason : null,
      candidates: routing.candidates.filter((candidate) => candidate.providerId === own),
    },
    history: view.history.map((entry) =>
      entry.providerId === own ? entry : { at: entry.at, event: entry.event },
    ),
  };
}
