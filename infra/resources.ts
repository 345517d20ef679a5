// The one definition of Outroute's table and queues. The CDK stack and the
// local runtime both build their resources from these values, so the two
// cannot drift apart. Plain data: no CDK and no SDK imports here.
import { INDEXED_TICKET_FIELDS } from '../shared/store/layout.js';

export interface IndexDefinition {
  name: string;
  partitionKey: string;
  sortKey: string;
  /** What the index answers; sparse: items carry these keys only while it applies. */
  purpose: string;
  /** Non-key attributes copied into the index; absent: the whole item. */
  include?: readonly string[];
}

/** Audit entries by ticket share the queue index: what their listing shows. */
const AUDIT_FIELDS = ['at', 'actor', 'action', 'target', 'requestId'] as const;

export const TABLE = {
  logicalName: 'Table',
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'expiresAt',
  /** Both images: the stream consumer diffs history and counters. */
  streamView: 'NEW_AND_OLD_IMAGES',
  indexes: [
    {
      name: 'queue',
      partitionKey: 'gsi1pk',
      sortKey: 'gsi1sk',
      purpose:
        "a provider's tickets while they hold its capacity (queued, leased, held), earliest dueAt first",
      include: [...INDEXED_TICKET_FIELDS, ...AUDIT_FIELDS],
    },
    {
      name: 'timers',
      partitionKey: 'gsi2pk',
      sortKey: 'gsi2sk',
      purpose: 'received and parked tickets by the next instant the sweeper must look at them',
      include: INDEXED_TICKET_FIELDS,
    },
    {
      name: 'by-status',
      partitionKey: 'gsi3pk',
      sortKey: 'gsi3sk',
      purpose: 'closed tickets by status (sharded), oldest first; API keys; audit entries by actor',
    },
  ] satisfies IndexDefinition[],
} as const;

export type IndexName = (typeof TABLE.indexes)[number]['name'];

export interface QueueDefinition {
  logicalName: string;
  /** Seconds a received message stays hidden; at least six times the consumer's timeout, as AWS advises. */
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
  retentionDays: number;
  batchSize: number;
  /** Longest wait to fill a batch, as the event source mapping's batching window. */
  maxBatchingWindowSeconds: number;
  /** How long the consuming function may run per batch. */
  consumerTimeoutSeconds: number;
  /** FIFO (name ends in .fifo): ordered per message group, de-duplicated by id; its DLQ is FIFO too. */
  fifo?: boolean;
  /**
   * Most batches handled at once per stage (the SQS event source's maximum concurrency, at least 2); the
   * local runtime's poller uses the dev stage's, so local and AWS scale alike.
   */
  maxConcurrency?: { dev: number; prod: number };
}

export const QUEUES = {
  intake: {
    logicalName: 'IntakeQueue',
    visibilityTimeoutSeconds: 180,
    // Five deliveries: a valid ticket outlives a burst of throttling before it reaches the DLQ.
    maxReceiveCount: 5,
    retentionDays: 14,
    batchSize: 25,
    maxBatchingWindowSeconds: 1,
    consumerTimeoutSeconds: 30,
    maxConcurrency: { dev: 5, prod: 20 },
  },
  routing: {
    logicalName: 'RoutingQueue',
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 5,
    retentionDays: 4,
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    consumerTimeoutSeconds: 30,
    maxConcurrency: { dev: 5, prod: 10 },
  },
} as const satisfies Record<string, QueueDefinition>;

export type QueueName = keyof typeof QUEUES;

/**
 * Webhook deliveries, one message per subscription and event, grouped per
 * subscription and ticket. Retries hide a message (ChangeMessageVisibility)
 * for its backoff; the consumer itself sends it to the DLQ after a day, so
 * maxReceiveCount is only a backstop above the 16 to 25 attempts of that day.
 */
export const WEBHOOK_QUEUE = {
  logicalName: 'WebhookQueue',
  visibilityTimeoutSeconds: 360,
  maxReceiveCount: 40,
  retentionDays: 4,
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  consumerTimeoutSeconds: 60,
  fifo: true,
} as const satisfies QueueDefinition;

/** Index shards (owned by the store's layout). */
export { TIMER_BUCKETS } from '../shared/store/layout.js';

/** The stream consumer's batching and timeout, shared by the AWS event source and the local poller. */
export const STREAM = { batchSize: 100, maxRetries: 5, timeoutSeconds: 60 } as const;
