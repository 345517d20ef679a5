import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type BacklogDelta, OPEN_HOUR_PREFIX } from '../domain/backlog-counts.js';
import type { CounterIncrement } from '../domain/metric-counts.js';
import { isConditionFailure } from './dynamo-client.js';
import { backlogDirectoryKey, backlogKey } from './keys.js';
import { batchGetItems, type Table } from './table.js';

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

/** Every backlog group, from the directory of groups: O(skills × priorities) items, read consistently. */
export async function readBacklog(table: Table): Promise<BacklogGroup[]> {
  const directory = await table.db.send(
    new GetCommand({ TableName: table.name, Key: backlogDirectoryKey(), ConsistentRead: true }),
  );
  const partitions = [...((directory.Item?.groups as Set<string> | undefined) ?? [])];
  const items = await batchGetItems(
    table,
    partitions.map((pk) => ({ pk, sk: 'GROUP' })),
  );
  return items.map((item) => {
    const { pk: _pk, sk: _sk, entity: _entity, skill, priority, ...rest } = item;
    const counters: Record<string, number> = Object.create(null);
    for (const [name, value] of Object.entries(rest)) counters[name] = Number(value);
    return { skill: String(skill), priority: String(priority), counters };
  });
}

/** Groups this instance has put in the directory: a new group is added once, not on every batch. */
const listed = new Set<string>();

/** Adds the groups of these counter items to the directory (before they are counted, so none is missed). */
export async function listBacklogGroups(
  table: Table,
  increments: readonly CounterIncrement[],
): Promise<void> {
  const fresh = [
    ...new Set(
      increments.map(({ key }) => key.pk).filter((pk) => pk.startsWith('BACKLOG#') && !listed.has(pk)),
    ),
  ];
  if (!fresh.length) return;
  await table.db.send(
    new UpdateCommand({
      TableName: table.name,
      Key: backlogDirectoryKey(),
      UpdateExpression: 'ADD #groups :groups SET entity = :entity',
      ExpressionAttributeNames: { '#groups': 'groups' },
      ExpressionAttributeValues: { ':groups': new Set(fresh), ':entity': 'directory' },
    }),
  );
  for (const pk of fresh) listed.add(pk);
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
