// The simulator's inputs and outputs. The engine (engine.ts) replays a trace through a routing policy in
// virtual time; the CLI, the report and the quality benchmark only see these types.
import type { ContractInput } from '../domain/contracts.js';
import type { StoredSlaPolicy } from '../domain/sla.js';
import type { DataClearance, Priority } from '../domain/types.js';
import type { ProviderInput, RoutingPolicy, SlaPolicy } from '../domain/schemas.js';

/** One work item of a trace, already mapped from the CSV's columns. */
export interface TraceTicket {
  createdMs: number;
  priority: Priority;
  skill: string;
  /** Absent: the SLA policy's target for the priority. */
  dueMs?: number;
  language?: string;
  dataClassification?: DataClearance;
  /** The real handling time; absent: drawn exponential with mean 1 / throughputPerHour. */
  workMinutes?: number;
  /** Effort units (1-100) of capacity and throughput it takes; absent: the SLA policy's default, else 1. */
  effort?: number;
}

/** A provider as `outroute providers import` reads it: its id plus the PUT body. */
export type SimProviderConfig = ProviderInput & {
  providerId: string;
  /** Its contract (issue 10): routing prices it by the rate card and take-or-pay pace, as production does. */
  contract?: ContractInput;
};

export const POLICY_NAMES = [
  'outroute',
  'legacy',
  'round-robin',
  'least-loaded',
  'cheapest',
  'earliest-completion',
] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

export interface SimulationConfig {
  /** Sorted by createdMs. */
  tickets: readonly TraceTicket[];
  providers: readonly SimProviderConfig[];
  policy: PolicyName;
  /** Weights and margins for `outroute` (and `legacy`); default DEFAULT_ROUTING_POLICY. */
  routingPolicy?: RoutingPolicy;
  slaPolicy?: SlaPolicy;
  /** The SLA policies of production (PUT /v1/sla-policies): each ticket's due as production would set it. */
  slaPolicies?: readonly StoredSlaPolicy[];
  seed: number;
  /**
   * After the last arrival the providers keep working this long (virtual time) before what is left is
   * counted unfinished. Default: 7 days (a drain week).
   */
  drainMs?: number;
  /** Called now and then with the number of tickets that have arrived so far. */
  onProgress?: (arrived: number) => void;
}

export interface OnTimeCount {
  tickets: number;
  onTime: number;
}

export interface SimulationResult {
  policy: PolicyName;
  seed: number;
  tickets: number;
  /** Fractions in 0..1 of all tickets (unfinished ones count as late). */
  onTime: number;
  byPriority: Record<Priority, OnTimeCount>;
  /** Mean price of the completed tickets, in the providers' currency (minor-unit exact sums). */
  costPerTicket: number;
  /** Mean minutes from arrival to completion over the completed tickets (queueing theory's time in system). */
  meanMinutesInSystem: number;
  /** Fraction of tickets not completed by the end of the drain. */
  unfinished: number;
  /** Busy share of each provider's open hours over the trace. */
  utilization: Record<string, number>;
  /**
   * Realised share of the routed volume of the skills it serves among the providers that declare a target,
   * vs the target those per-skill pools imply (null: none declared). `declared` is the raw allocationShare:
   * a provider lacking a skill others have cannot reach it, and the gap shows here.
   */
  shares: Record<string, { target: number | null; actual: number; declared?: number }>;
  /** For the report: on time per ISO week (Monday 00:00 UTC), in order. */
  byWeek: { weekStart: string; tickets: number; onTime: number }[];
  /** For the report: each provider's busy share by UTC hour of day (24 numbers, 0..1 of that hour open). */
  utilizationByHour: Record<string, number[]>;
  /** For the report: completed tickets by lateness, minutes after due (0 = on time), in LATENESS_BUCKETS. */
  lateness: number[];
  /** Tickets marked lost (no provider could still meet their due) — outroute only. */
  lost: number;
  /** Tickets moved from one provider's queue to another's by work conservation — outroute only. */
  rebalanced: number;
}

/** Upper bounds (minutes late) of the lateness histogram's buckets; the last catches the rest. */
export const LATENESS_BUCKETS = [0, 15, 60, 240, 1440, 10080, Number.POSITIVE_INFINITY] as const;
