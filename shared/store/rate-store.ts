import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from './dynamo-client.js';
import { rateKey } from './keys.js';
import type { Table } from './table.js';

/**
 * Takes `count` from the budget of one scope in the current second (a fixed
 * window counter, one conditional write). False when that would pass `limit`;
 * a single take larger than the limit fits only into an empty window.
 */
export async function takeFromWindow(
  table: Table,
  scope: string,
  count: number,
  limit: number,
  nowMs: number,
): Promise<boolean> {
  const second = Math.floor(nowMs / 1000);
  try {
    await table.db.send(
      new UpdateCommand({
        TableName: table.name,
        Key: rateKey(scope, second),
        UpdateExpression: 'ADD #taken :count SET expiresAt = :ttl, entity = :entity',
        ConditionExpression: 'attribute_not_exists(#taken) OR #taken <= :most',
        ExpressionAttributeNames: { '#taken': 'taken' },
        ExpressionAttributeValues: {
          ':count': count,
          ':most': Math.max(limit, count) - count,
          // DynamoDB's TTL removes spent windows (within a day or two)
          ':ttl': second + 3600,
          ':entity': 'rate',
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
