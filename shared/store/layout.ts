// Table layout constants the store's keys depend on. They live in shared/ so
// the store never imports infra/; infra/resources.ts re-exports them beside
// the table and queue definitions that the CDK stack and local runtime use.

// Shards are sized for 1,000 tickets/s in AWS: no partition key takes more
// than ~1 % of the writes (a partition takes at most 1,000 write units/s).

/** Hash buckets the timer index spreads received tickets over. */
export const TIMER_BUCKETS = 32;
/** Hash buckets of parked tickets: a freed slot reads them all to wake the ones it may take. */
export const PARKED_BUCKETS = 4;
/** Partitions of each day of the access audit trail (one entry per payload read). */
export const AUDIT_DAY_SHARDS = 16;
/** Shards of each closed status in the status index. */
export const STATUS_SHARDS = 16;

/**
 * What the queue and timer indexes keep of a ticket besides their keys: what
 * routing, leasing, waking and sweeping decide on. Everything else is read from
 * the table; a change to these alone rewrites an index entry in place.
 */
export const INDEXED_TICKET_FIELDS = [
  'ticketId',
  'status',
  'providerId',
  'sourceId',
  'skill',
  'priority',
  'language',
  'minProficiency',
  'dataClassification',
  'dataRegion',
  'rejectedBy',
  'effort',
  'createdAt',
  'dueAt',
  'nextCheckAt',
  'hold',
] as const;
