// Configuration read on hot paths (SLA policies at intake, the routing policy
// per router batch, webhook subscriptions per ticket change) changes rarely
// but was read once per use: at 100 tickets/s that was a third of the
// platform's DynamoDB requests. Each function container keeps its last answer
// for a moment instead. A write through this container forgets it at once —
// locally every function shares one process, so a change applies to the next
// request — and in AWS other containers see it within the TTL.

/** How long a container reuses configuration it read (README: "Running in AWS"). */
export const CONFIG_CACHE_TTL_MS = 2000;

/**
 * One cached read per key (a table name). The entry is the promise, so
 * concurrent readers share one request; a failed read is not kept.
 */
export class ReadCache<T> {
  private readonly entries = new Map<string, { readAt: number; value: Promise<T> }>();

  constructor(private readonly ttlMs = CONFIG_CACHE_TTL_MS) {}

  get(key: string, read: () => Promise<T>): Promise<T> {
    // Wall-clock age on purpose: a test's frozen application clock must not keep an answer forever.
    const nowMs = Date.now();
    const entry = this.entries.get(key);
    if (entry && nowMs - entry.readAt <= this.ttlMs) return entry.value;
    const value = read();
    this.entries.set(key, { readAt: nowMs, value });
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }

  /** After a write: the next reader reads again. */
  forget(key: string): void {
    this.entries.delete(key);
  }
}
