// Webhook subscriptions and their delivery attempts. The secret is stored as
// given (the table is encrypted with the platform's KMS key) because signing
// needs it back; it is never logged and leaves only through getStoredWebhook.
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredWebhook } from '../domain/webhooks.js';
import { isConditionFailure } from './dynamo-client.js';
import { WEBHOOK_PARTITION, webhookDeliveryKey, webhookDeliveryPartition, webhookKey } from './keys.js';
import { ReadCache } from './read-cache.js';
import { stripLayout, type Table } from './table.js';

/** Delivery attempts are kept this long (DynamoDB TTL). */
const DELIVERY_RETENTION_SECONDS = 7 * 86400;

export interface DeliveryAttempt {
  eventId: string;
  eventType: string;
  attempt: number;
  at: string;
  /** The receiver's HTTP status; null when it never answered. */
  status: number | null;
  latencyMs: number;
  outcome: 'delivered' | 'retrying' | 'failed' | 'dead_lettered';
  error?: string;
  nextAttemptAt?: string;
}

export async function getStoredWebhook(table: Table, webhookId: string): Promise<StoredWebhook | undefined> {
  const result = await table.db.send(
    new GetCommand({ TableName: table.name, Key: webhookKey(webhookId), ConsistentRead: true }),
  );
  return result.Item ? stripLayout<StoredWebhook>(result.Item) : undefined;
}

export async function listStoredWebhooks(table: Table, consistent = false): Promise<StoredWebhook[]> {
  const items: StoredWebhook[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await table.db.send(
      new QueryCommand({
        TableName: table.name,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': WEBHOOK_PARTITION, ':prefix': 'WEBHOOK#' },
        ExclusiveStartKey: cursor,
        ConsistentRead: consistent,
      }),
    );
    items.push(...(page.Items ?? []).map((item) => stripLayout<StoredWebhook>(item)));
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return items;
}

/** Subscriptions change rarely: the stream consumer reuses its last read for a second. */
const cachedSubscriptions = new ReadCache<StoredWebhook[]>(1000);

/** Every subscription as this container last read them (at most a second old): for each ticket change. */
export const cachedWebhooks = (table: Table) =>
  cachedSubscriptions.get(table.name, () => listStoredWebhooks(table));

export async function putStoredWebhook(table: Table, webhook: StoredWebhook): Promise<void> {
  await table.db.send(
    new PutCommand({
      TableName: table.name,
      Item: { ...webhookKey(webhook.webhookId), entity: 'webhook', ...webhook },
    }),
  );
  cachedSubscriptions.forget(table.name);
}

export async function deleteStoredWebhook(table: Table, webhookId: string): Promise<boolean> {
  const result = await table.db.send(
    new DeleteCommand({ TableName: table.name, Key: webhookKey(webhookId), ReturnValues: 'ALL_OLD' }),
  );
  cachedSubscriptions.forget(table.name);
  return Boolean(result.Attributes);
}

/** A success: the subscription is healthy again. */
export async function markWebhookHealthy(table: Table, webhookId: string): Promise<void> {
  try {
    await table.db.send(
      new UpdateCommand({
        TableName: table.name,
        Key: webhookKey(webhookId),
        UpdateExpression: 'REMOVE failingSince',
        ConditionExpression: 'attribute_exists(failingSince)',
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/** A failure: the subscription's failingSince (kept if already set), as it now stands. */
export async function markWebhookFailing(
  table: Table,
  webhookId: string,
  now: string,
): Promise<string | undefined> {
  try {
    const result = await table.db.send(
      new UpdateCommand({
        TableName: table.name,
        Key: webhookKey(webhookId),
        UpdateExpression: 'SET failingSince = if_not_exists(failingSince, :now)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':now': now },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return result.Attributes?.failingSince as string | undefined;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** Disables an enabled subscription; true only for the call that disabled it. */
export async function disableWebhook(
  table: Table,
  webhookId: string,
  now: string,
  reason: string,
): Promise<boolean> {
  try {
    await table.db.send(
      new UpdateCommand({
        TableName: table.name,
        Key: webhookKey(webhookId),
        UpdateExpression:
          'SET enabled = :false, disabledAt = :now, disabledReason = :reason, updatedAt = :now',
        ConditionExpression: 'enabled = :true',
        ExpressionAttributeValues: { ':false': false, ':true': true, ':now': now, ':reason': reason },
      }),
    );
    cachedSubscriptions.forget(table.name);
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export async function recordDeliveryAttempt(
  table: Table,
  webhookId: string,
  attempt: DeliveryAttempt,
): Promise<void> {
  await table.db.send(
    new PutCommand({
      TableName: table.name,
      Item: {
        ...webhookDeliveryKey(webhookId, attempt.at, attempt.eventId, attempt.attempt),
        entity: 'webhook_delivery',
        webhookId,
        ...attempt,
        expiresAt: Math.floor(Date.parse(attempt.at) / 1000) + DELIVERY_RETENTION_SECONDS,
      },
    }),
  );
}

/** The latest attempts, newest first. */
export async function listDeliveryAttempts(
  table: Table,
  webhookId: string,
  limit: number,
): Promise<DeliveryAttempt[]> {
  const result = await table.db.send(
    new QueryCommand({
      TableName: table.name,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': webhookDeliveryPartition(webhookId) },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return (result.Items ?? []).map((item) => {
    const { webhookId: _webhookId, ...attempt } = stripLayout<DeliveryAttempt & { webhookId: string }>(item);
    return attempt;
  });
}
