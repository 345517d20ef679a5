// Domain entities as the use cases and the routing engine see them.
import type { DATA_CLEARANCES, HOLD_REASONS, PRIORITIES, ProviderInput, TICKET_STATUSES } from './schemas.js';
import type { CalendarHours } from './calendar.js';
import type { ContractPricing, CostBasis } from './contracts.js';
import type { QualitySource } from './feedback.js';
import type { QueuedWork } from './work-order.js';

export type TicketStatus = (typeof TICKET_STATUSES)[number];
export type Priority = (typeof PRIORITIES)[number];
export type DataClearance = (typeof DATA_CLEARANCES)[number];

/** A provider as stored: its configuration plus live counters. */
export interface Provider extends ProviderInput {
  providerId: string;
  openItems: number;
  /** Grows on every change of configuration; compiled calendars are cached per version. */
  version: number;
  updatedAt: string;
}

/** What the router knows about a provider when it decides. */
export interface ProviderSnapshot extends Provider {
  /** Tickets routed to this provider over the last 24 h (for allocation shares). */
  routedLast24h: number;
  /** The same per skill: shares are held within the pool of providers that can take a ticket's skill. */
  routedBySkill?: Record<string, number>;
  /**
   * Its queued (not yet leased) tickets, for predicting from a ticket's place in the work order. Absent:
   * unknown, and every open item counts as ahead.
   */
  queue?: QueuedWork[];
  /** Its contract in force (issue 10): the rate card and whether it is behind its minimum-volume pace. */
  contractPricing?: ContractPricing;
  /** Recent QA scores blended with the declared qualityScore (issue 10); absent without any. */
  measuredQuality?: { quality: number; source: QualitySource; samples: number };
}

export type IneligibilityReason =
  | 'missing_skill'
  | 'low_proficiency'
  | 'language'
  | 'clearance'
  | 'region'
  | 'status_paused'
  | 'status_offline'
  | 'at_capacity'
  | 'cannot_meet_due'
  | 'rejected_before'
  /** The ticket's effort is larger than the provider's whole capacity. */
  | 'too_large'
  /** The provider's configuration makes prediction impossible (it is skipped, the ticket still routes). */
  | 'invalid_configuration';

export interface ScoreFactors {
  slack: number;
  cost: number;
  quality: number;
  share: number;
  load: number;
}

export interface Candidate {
  providerId: string;
  eligible: boolean;
  /** Present on every provider that passed the hard filters. */
  predictedCompletionAt?: string;
  score?: number;
  factors?: ScoreFactors;
  reasons?: IneligibilityReason[];
  /** Items the provider would work before this ticket (in service and ahead in its work order). */
  workAhead?: number;
  /** Safety margin kept before due, in the provider's open minutes. */
  marginMinutes?: number;
  /** Queued tickets at this provider that this one would push past their due. */
  displaces?: number;
  /** What the cost factor compared (issue 10): the rate-card price, take-or-pay, or costPerItem. */
  costBasis?: { basis: CostBasis; cost: number };
  /** Where the quality factor came from (issue 10): declared, blended with QA scores, or measured. */
  qualitySource?: QualitySource;
}

/** The explanation stored on a ticket as `routing`. */
export interface RoutingExplanation {
  decidedAt: string;
  providerId: string | null;
  reason: string;
  candidates: Candidate[];
}

/** What the routing decision needs to know about a ticket. */
export interface RoutableTicket {
  ticketId: string;
  skill: string;
  /** Prices a provider under contract by its rate card (issue 10). */
  kind?: 'front_office' | 'back_office';
  priority: Priority;
  language?: string;
  minProficiency: number;
  dataClassification: DataClearance;
  dataRegion?: string;
  createdAt: string;
  dueAt: string;
  rejectedBy?: string[];
  /** Effort units it takes of a provider's capacity and throughput; absent: 1. */
  effort?: number;
}

export interface HistoryEntry {
  seq: number;
  at: string;
  event: string;
  providerId?: string;
  reason?: string;
  /** Which SLA target an sla_at_risk / sla_breached entry is about. */
  target?: SlaTargetName;
  /** Free text given with a hold, resume or escalation. */
  note?: string;
}

export type HoldReason = (typeof HOLD_REASONS)[number];

/** A ticket on hold: the provider keeps it, the SLA clock is stopped since `since`. */
export interface TicketHold {
  reason: HoldReason;
  since: string;
  /** Resumes by itself then. */
  until?: string;
  /** `since` + the SLA policy's maxHoldSeconds: still held then, it is cancelled (hold_expired). */
  expiresAt: string;
  /** The holding provider's `holdKeepsCapacity` at hold time: whether its effort units stay taken. */
  keepsCapacity: boolean;
}

export type SlaTargetName = 'pickup' | 'firstResponse' | 'resolution';

/**
 * One SLA target's clock. `seconds` is its length in the policy's clock (business seconds with a
 * calendar): a hold moves `dueAt` and `atRiskAt` later by the business time it paused.
 */
export interface SlaTargetClock {
  dueAt: string;
  atRiskAt: string;
  seconds: number;
  metAt?: string;
  /** Time to meet it, in the policy's clock (paused time excluded). */
  elapsedSeconds?: number;
  /** Time paused by holds while it ran, in its own clock (a resolution in calendar time counts seconds). */
  pausedSeconds?: number;
  breached: boolean;
  /** The at-risk event has been published. */
  atRisk?: boolean;
}

/** A ticket's SLA: `state`, `breached` and `atRiskAt` are the resolution target's (as before targets). */
export interface TicketSlaState {
  state: SlaState;
  breached: boolean;
  atRiskAt: string;
  /** The policy it got at creation (or reprioritisation); "default" for PUT /v1/sla-policy. */
  policyId?: string;
  /** The policy's calendar, kept on the ticket: its clocks never change with a later policy edit. */
  calendar?: CalendarHours;
  /** The resolution target came from the default policy (calendar time) though the policy has a calendar. */
  resolutionInCalendarTime?: boolean;
  /** The ticket came with its own dueAt: it stays the resolution due whatever the priority. */
  dueGiven?: boolean;
  /** Seconds paused by holds, in the policy's clock (business seconds with a calendar). */
  pausedSeconds?: number;
  targets?: Partial<Record<SlaTargetName, SlaTargetClock>>;
}

/** `lost`: no provider can meet the due any more; operations should escalate it. */
export type SlaState = 'on_track' | 'at_risk' | 'lost' | 'breached' | 'met';

export interface Ticket extends RoutableTicket {
  sourceId: string;
  externalId: string;
  kind: 'front_office' | 'back_office';
  subject?: string;
  payload?: unknown;
  bodyHash: string;
  status: TicketStatus;
  providerId?: string;
  routedAt?: string;
  /** The provider's price when the ticket was routed to it (cost metrics). */
  costPerItem?: number;
  completedAt?: string;
  leasedAt?: string;
  leaseTokenHash?: string;
  leaseExpiresAt?: string;
  resolution?: string;
  attempts: number;
  version: number;
  sla: TicketSlaState;
  /** When the leasing provider reported its first response (POST /v1/tickets/{id}/respond). */
  respondedAt?: string;
  /** Present while `on_hold`. */
  hold?: TicketHold;
  routing?: RoutingExplanation;
  parkedAt?: string;
  /** Proficiency relaxation: the original `minProficiency` asked for. */
  requestedMinProficiency: number;
  history: HistoryEntry[];
  /** Sequence of the last history entry, never trimmed (events out use it). */
  seq: number;
  /** The next instant the sweeper must look at this ticket. */
  nextCheckAt?: string;
  updatedAt: string;
  /**
   * Who was handed the ticket (and its payload) by a lease, and by which request: the access audit
   * trail by ticket, kept with the ticket in the lease's own write (never trimmed, never shown in views).
   */
  accessLog?: TicketAccess[];
}

export interface TicketAccess {
  at: string;
  actor: { keyId: string | null; role: Role; ownerId: string | null };
  requestId: string;
}

export type Role = 'admin' | 'source' | 'provider';

export interface Principal {
  role: Role;
  sourceId?: string;
  providerId?: string;
}
