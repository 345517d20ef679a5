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
  /** Leases taken, and holds put (hold_rate = held / leased). */
  'leased',
  'held',
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

/**
 * One counter item's change, in the form the stream consumer applies exactly
 * once per batch: hourly metrics, backlog counts and contract KPIs all use it.
 * `set` holds the item's descriptive attributes (the same on every change).
 */
export interface CounterIncrement {
  key: { pk: string; sk: string };
  set?: Record<string, string | number>;
  add: Record<string, number>;
}

/** Increments of the same item summed into one, in first-seen order: one write per item and batch. */
export function mergeIncrements(increments: readonly CounterIncrement[]): CounterIncrement[] {
  const merged = new Map<
    string,
    { key: CounterIncrement['key']; set: Map<string, string | number>; add: Map<string, number> }
  >();
  for (const increment of increments) {
    const id = `${increment.key.pk}\u0000${increment.key.sk}`;
    let entry = merged.get(id);
    if (!entry) merged.set(id, (entry = { key: increment.key, set: new Map(), add: new Map() }));
    for (const [name, value] of Object.entries(increment.set ?? {})) entry.set.set(name, value);
    for (const [name, value] of Object.entries(increment.add))
      entry.add.set(name, (entry.add.get(name) ?? 0) + value);
  }
  // Maps, then plain entries: a counter may be named after a skill such as "__proto__".
  return [...merged.values()].flatMap(({ key, set, add }) => {
    const nonZero = [...add].filter(([, value]) => value !== 0);
    if (!nonZero.length) return [];
    return [{ key, set: set.size ? Object.fromEntries(set) : undefined, add: Object.fromEntries(nonZero) }];
  });
}
