// Key builders for the single table: every pk/sk and index key is made here,
// never string-concatenated elsewhere.
import { sha256Hex } from '../lib/hash.js';
import { AUDIT_DAY_SHARDS, PARKED_BUCKETS, STATUS_SHARDS, TIMER_BUCKETS } from './layout.js';

export const providerKey = (providerId: string) => ({ pk: `PROVIDER#${providerId}`, sk: 'PROFILE' });
export const ticketKey = (ticketId: string) => ({ pk: `TICKET#${ticketId}`, sk: 'TICKET' });
export const apiKeyKey = (keyHash: string) => ({ pk: `KEY#${keyHash}`, sk: 'KEY' });
/** A key's id → its stored item (base table, read consistently: a key is found by id the moment it exists). */
export const apiKeyIdKey = (keyId: string) => ({ pk: `KEYID#${keyId}`, sk: 'KEYID' });
/** Every key of one owner (a provider or a source), as `keyId` entries of a set: revocation reads it consistently. */
export const keyOwnerKey = (ownerId: string) => ({ pk: `KEYOWNER#${ownerId}`, sk: 'KEYOWNER' });
export const configKey = (name: 'sla' | 'routing') => ({ pk: `CONFIG#${name}`, sk: 'CONFIG' });
export const metricKey = (providerId: string, hour: string) => ({
  pk: `METRIC#${providerId}`,
  sk: `HOUR#${hour}`,
});
export const countedMarkerKey = (marker: string) => ({ pk: `COUNTED#${marker}`, sk: 'COUNTED' });
/** SLA policies share one partition: one query lists them all (the matching order is sorted in memory). */
export const SLA_POLICY_PARTITION = 'SLAPOLICIES';
export const slaPolicyKey = (policyId: string) => ({ pk: SLA_POLICY_PARTITION, sk: `POLICY#${policyId}` });

/**
 * Providers written before the directory shared this partition of the listing
 * index; a provider written since leaves it (see provider-store's listProviders).
 */
export const PROVIDER_LIST_PARTITION = 'PROVIDERS';
/** The provider directory: one base-table item holding every provider id (read consistently). */
export const providerDirectoryKey = () => ({ pk: 'DIRECTORY#providers', sk: 'DIRECTORY' });

/** Provider queue index: a provider's tickets while they hold its capacity (queued, leased, held), by dueAt. */
export const queueIndexKeys = (providerId: string, dueAt: string, ticketId: string) => ({
  gsi1pk: queuePartition(providerId),
  gsi1sk: `${dueAt}#${ticketId}`,
});
export const queuePartition = (providerId: string) => `QUEUE#${providerId}`;

/**
 * Timer index: open tickets that hold no capacity (received, parked), by the next
 * instant the sweeper must look at them, spread over hash buckets; parked ones in
 * buckets of their own, which a freed slot reads to wake them.
 */
export const timerIndexKeys = (ticketId: string, nextCheckAt: string, parked: boolean) => ({
  gsi2pk: parked ? parkedPartition(parkedBucket(ticketId)) : timerPartition(timerBucket(ticketId)),
  gsi2sk: `${nextCheckAt}#${ticketId}`,
});
export const timerPartition = (bucket: number) => `TIMER#${bucket}`;
export const timerBucket = (ticketId: string) => Number.parseInt(ticketId.slice(-4), 16) % TIMER_BUCKETS;
export const parkedPartition = (bucket: number) => `TIMER#PARKED#${bucket}`;
export const parkedBucket = (ticketId: string) =>
  Number.parseInt(ticketId.slice(-6, -2), 16) % PARKED_BUCKETS;

/** Every timer bucket and every parked bucket (the sweeper and listings read them all). */
export const timerPartitions = () =>
  Array.from({ length: TIMER_BUCKETS }, (_, bucket) => timerPartition(bucket));
export const parkedPartitions = () =>
  Array.from({ length: PARKED_BUCKETS }, (_, bucket) => parkedPartition(bucket));

/** Status index: closed tickets, by status over a few shards, oldest first within a shard. */
export const statusIndexKeys = (status: string, createdAt: string, ticketId: string) => ({
  gsi3pk: statusPartition(status, statusShard(ticketId)),
  gsi3sk: `${createdAt}#${ticketId}`,
});
export const statusPartition = (status: string, shard: number) => `STATUS#${status}#${shard}`;
export const statusShard = (ticketId: string) => Number.parseInt(ticketId.slice(-8, -4), 16) % STATUS_SHARDS;
/** Every shard of one closed status. */
export const statusPartitions = (status: string) =>
  Array.from({ length: STATUS_SHARDS }, (_, shard) => statusPartition(status, shard));

/** API keys share one partition of the listing index, ordered by key id (one query finds a key by id). */
export const API_KEY_LIST_PARTITION = 'KEYS';
export const apiKeyIndexKeys = (keyId: string) => ({ gsi3pk: API_KEY_LIST_PARTITION, gsi3sk: keyId });

/**
 * Access audit trail: each UTC day over a few partitions (a busy day's payload reads would
 * otherwise all write one key); by ticket on the queue index, by actor on the listing index.
 */
export const auditKey = (day: string, entryId: string) => ({
  pk: auditDayPartition(day, shardOf(entryId, AUDIT_DAY_SHARDS)),
  sk: entryId,
});
/** Shard `AUDIT_DAY_SHARDS` is the unsharded partition of entries written before days were sharded. */
export const auditDayPartition = (day: string, shard: number) =>
  shard === AUDIT_DAY_SHARDS ? `AUDIT#${day}` : `AUDIT#${day}#${shard}`;
export const auditTicketPartition = (ticketId: string) => `AUDIT#TICKET#${ticketId}`;
export const auditActorPartition = (keyId: string) => `AUDIT#ACTOR#${keyId}`;
export const auditIndexKeys = (entryId: string, ticketId: string | undefined, keyId: string | null) => ({
  ...(ticketId ? { gsi1pk: auditTicketPartition(ticketId), gsi1sk: entryId } : {}),
  ...(keyId ? { gsi3pk: auditActorPartition(keyId), gsi3sk: entryId } : {}),
});

/** Intake rate counters: one item per scope and second. */
export const rateKey = (scope: string, second: number) => ({ pk: `RATE#${scope}`, sk: `S#${second}` });

/** Webhook subscriptions share one partition (one query lists them); each one's delivery attempts have their own. */
export const WEBHOOK_PARTITION = 'WEBHOOKS';
export const webhookKey = (webhookId: string) => ({ pk: WEBHOOK_PARTITION, sk: `WEBHOOK#${webhookId}` });
export const webhookDeliveryPartition = (webhookId: string) => `WEBHOOK#${webhookId}#DELIVERIES`;
export const webhookDeliveryKey = (webhookId: string, at: string, eventId: string, attempt: number) => ({
  pk: webhookDeliveryPartition(webhookId),
  sk: `${at}#${eventId}#${attempt}`,
});

/** A stable shard in 0..shards-1 for any string: spreads one kind of item over several partitions. */
export const shardOf = (value: string, shards: number) =>
  Number.parseInt(sha256Hex(value).slice(0, 8), 16) % shards;

/**
 * Backlog counters, one item per skill and priority, each its own partition (every stream batch
 * writes the groups it touched); the directory lists the groups, so a read is O(groups).
 */
export const backlogKey = (skill: string, priority: string) => ({
  pk: `BACKLOG#${sha256Hex(`${skill}\u0000${priority}`).slice(0, 16)}`,
  sk: 'GROUP',
});
export const backlogDirectoryKey = () => ({ pk: 'DIRECTORY#backlog', sk: 'DIRECTORY' });

/** Provider contracts (issue 10): every version of one provider's contract in its own partition, plus a head. */
export const contractPartition = (providerId: string) => `CONTRACT#${providerId}`;
export const contractVersionKey = (providerId: string, version: number) => ({
  pk: contractPartition(providerId),
  sk: `V#${String(version).padStart(8, '0')}`,
});
export const contractHeadKey = (providerId: string) => ({ pk: contractPartition(providerId), sk: 'HEAD' });
/** Every provider that has a contract, as one set (read consistently by scorecards and period closing). */
export const contractDirectoryKey = () => ({ pk: 'DIRECTORY#contracts', sk: 'DIRECTORY' });
/** Contract KPI counters per provider and local month (`yyyy-MM` in the contract's time zone). */
export const kpiKey = (providerId: string, month: string) => ({
  pk: `KPI#${providerId}`,
  sk: `PERIOD#${month}`,
});
/** QA scores per provider and UTC day, for routing's measured quality. */
export const qualityKey = (providerId: string, day: string) => ({
  pk: `QUALITY#${providerId}`,
  sk: `DAY#${day}`,
});
/** Frozen scorecards of closed periods (immutable). */
export const statementKey = (providerId: string, period: string) => ({
  pk: `STATEMENT#${providerId}`,
  sk: `PERIOD#${period}`,
});
