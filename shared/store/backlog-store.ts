import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type BacklogDelta, OPEN_HOUR_PREFIX } from '../domain/backlog-counts.js';
import type { CounterIncrement } from '../domain/metric-counts.js';
import { isConditionFailure } from './dynamo-client.js';
import { backlogKey, backlogPartition } from './keys.js';
import { BACKLOG_SHARDS } from './layout.js';
import type { Table } from './table.js';

export interface BacklogGroup {
  skill: string;
  priority: string;
  counters: Record<string, number>;
}

export const backlogCounter = ({ skill, priority, add }: BacklogDelta): CounterIncrement => ({
  key: backlogKey(skill, priority),
  set: { entity: 'backlog', skill, priority },
  add,
});

/** Every backlog group: one query per shard, O(skills × priorities) items. */
export async function readBacklog(table: Table): Promise<BacklogGroup[]> {
  const groups: BacklogGroup[] = [];
  for (let shard = 0; shard < BACKLOG_SHARDS; shard++) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await table.db.send(
        new QueryCommand({
          TableName: table.name,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': backlogPartition(shard) },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const { pk: _pk, sk: _sk, entity: _entity, skill, priority, ...rest } = item;
        const counters: Record<string, number> = Object.create(null);
        for (const [name, value] of Object.entries(rest)) counters[name] = Number(value);
        groups.push({ skill: String(skill), priority: String(priority), counters });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
  return groups;
}

/**
 * Drops a group's creation-hour counters that fell to zero, on condition that
 * they still are: a ticket counted meanwhile keeps its hour.
 */
export async function dropEmptyHours(table: Table, group: BacklogGroup): Promise<void> {
  const empty = Object.entries(group.counters)
    .filter(([name, value]) => name.startsWith(OPEN_HOUR_PREFIX) && value === 0)
    .map(([name]) => name);
  if (!empty.length) return;
  const names = Object.fromEntries(empty.map((name, index) => [`#h${index}`, name]));
  try {
    await table.db.send(
      new UpdateCommand({
        TableName: table.name,
        Key: backlogKey(group.skill, group.priority),
        UpdateExpression: `REMOVE ${Object.keys(names).join(', ')}`,
        ConditionExpression: Object.keys(names)
          .map((name) => `${name} = :zero`)
          .join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':zero': 0 },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}
