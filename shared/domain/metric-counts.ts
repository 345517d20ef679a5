// The hourly counters per provider: what is counted and in which hour. A domain
// type: the domain decides which counters a change moves (metric-changes.ts);
// shared/store/metric-store.ts stores them.

export const COUNTERS = [
  'routed',
  'completed',
  'completedOnTime',
  'breached',
  'rerouted',
  'handleSeconds',
  'cost',
] as const;
export type Counter = (typeof COUNTERS)[number];
export type Counts = Partial<Record<Counter, number>>;

export interface CountIncrement {
  providerId: string;
  /** `2026-11-22T14`: the UTC hour the counted thing happened in. */
  hour: string;
  counts: Counts;
  /** For a routing: its skill, counted per skill too (allocation shares hold within a skill's pool). */
  routedSkill?: string;
}

/** The UTC hour an ISO instant falls in, as `CountIncrement.hour` has it. */
export const hourOf = (iso: string) => iso.slice(0, 13);
