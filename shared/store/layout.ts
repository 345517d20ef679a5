// Table layout constants the store's keys depend on. They live in shared/ so
// the store never imports infra/; infra/resources.ts re-exports them beside
// the table and queue definitions that the CDK stack and local runtime use.

/** The number of hash buckets the timer index spreads open tickets over. */
export const TIMER_BUCKETS = 4;

/** Partitions the backlog counters are spread over: each batch of changes writes a few of them. */
export const BACKLOG_SHARDS = 4;
