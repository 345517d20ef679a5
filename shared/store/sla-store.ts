import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  inMatchingOrder,
  slaPolicyDefinitionSchema,
  type SlaPolicyDefinition,
  type StoredSlaPolicy,
} from '../domain/sla.js';
import type { Ticket } from '../domain/types.js';
import { SLA_POLICY_PARTITION, slaPolicyKey, statusPartition } from './keys.js';
import { STATUS_SHARDS } from './layout.js';
import { ReadCache } from './read-cache.js';
import { queryAllItems, stripLayout, type Table } from './table.js';
import { ticketFromItem } from './ticket-store.js';

/** Every SLA policy, in matching order (lowest order, then id). */
export async function listSlaPolicies(table: Table): Promise<StoredSlaPolicy[]> {
  const policies: StoredSlaPolicy[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await table.db.send(
      new QueryCommand({
        TableName: table.name,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': SLA_POLICY_PARTITION },
        ConsistentRead: true,
        ExclusiveStartKey: cursor,
      }),
    );
    for (const item of page.Items ?? []) {
      const { policyId, updatedAt, ...definition } = stripLayout<StoredSlaPolicy>(item);
      // A stored policy that no longer parses is skipped, never half-applied.
      const parsed = slaPolicyDefinitionSchema.safeParse(definition);
      if (parsed.success) policies.push({ ...parsed.data, policyId, updatedAt });
    }
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return inMatchingOrder(policies);
}

const cachedPolicies = new ReadCache<StoredSlaPolicy[]>();

/** Every SLA policy as this container last read them (at most CONFIG_CACHE_TTL_MS old): for intake. */
export const cachedSlaPolicies = (table: Table) =>
  cachedPolicies.get(table.name, () => listSlaPolicies(table));

/** Creates or replaces; true when it was new. */
export async function putSlaPolicy(
  table: Table,
  policyId: string,
  definition: SlaPolicyDefinition,
  now: string,
): Promise<{ created: boolean; policy: StoredSlaPolicy }> {
  const policy: StoredSlaPolicy = { ...definition, policyId, updatedAt: now };
  const result = await table.db.send(
    new PutCommand({
      TableName: table.name,
      Item: { ...slaPolicyKey(policyId), entity: 'slaPolicy', ...policy },
      ReturnValues: 'ALL_OLD',
    }),
  );
  cachedPolicies.forget(table.name);
  return { created: !result.Attributes, policy };
}

export async function deleteSlaPolicy(table: Table, policyId: string): Promise<boolean> {
  const result = await table.db.send(
    new DeleteCommand({ TableName: table.name, Key: slaPolicyKey(policyId), ReturnValues: 'ALL_OLD' }),
  );
  cachedPolicies.forget(table.name);
  return !!result.Attributes;
}

/** Closed tickets of the given statuses created in [from, to], from the status index's shards. */
export async function closedTicketsCreatedBetween(
  table: Table,
  statuses: readonly string[],
  from: string,
  to: string,
): Promise<Ticket[]> {
  const tickets: Ticket[] = [];
  for (const status of statuses) {
    for (let shard = 0; shard < STATUS_SHARDS; shard++) {
      const items = await queryAllItems(table, {
        IndexName: 'by-status',
        KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': statusPartition(status, shard),
          ':from': from,
          ':to': `${to}#\uffff`,
        },
      });
      tickets.push(...items.map(ticketFromItem));
    }
  }
  return tickets;
}
