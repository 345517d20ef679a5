import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Role } from '../domain/types.js';
import { auditDayPartition, auditIndexKeys, auditKey } from './keys.js';
import { stripLayout, type Table } from './table.js';

/** One access to data or one change of configuration: who, what, when, from which request. Never data. */
export interface AuditEntry {
  at: string;
  actor: { keyId: string | null; role: Role; ownerId: string | null };
  action: string;
  /** `ticket:<id>`, `provider:<id>`, `key:<keyId>`, `policy:<name>`. */
  target: string;
  requestId: string;
}

/**
 * Entries kept as items: one partition per UTC day (sharded), and indexed by actor. The tickets one
 * request read are one item listing them (`targets`): each ticket also keeps its own reads (its
 * `accessLog`, written with the lease), which is the trail by ticket.
 */
export async function putAuditEntries(
  table: Table,
  entries: (AuditEntry & { ticketId?: string })[],
  retentionDays: number,
): Promise<void> {
  const ticketReads = entries.filter((entry) => entry.ticketId);
  const stored: (AuditEntry & { targets?: string[] })[] = [
    ...entries.filter((entry) => !entry.ticketId).map(({ ticketId: _ticketId, ...entry }) => entry),
    ...[...Map.groupBy(ticketReads, (entry) => entry.action)].map(([, group]) => {
      const { ticketId: _ticketId, ...first } = group[0] as AuditEntry & { ticketId?: string };
      return { ...first, target: `tickets:${group.length}`, targets: group.map((entry) => entry.target) };
    }),
  ];
  const items = stored.map((entry, index) => {
    const entryId = `${entry.at}#${entry.requestId}#${index}`;
    return {
      ...auditKey(entry.at.slice(0, 10), entryId),
      ...auditIndexKeys(entryId, undefined, entry.actor.keyId),
      entity: 'audit',
      ...entry,
      expiresAt: Math.floor(Date.parse(entry.at) / 1000) + retentionDays * 86_400,
    };
  });
  for (let start = 0; start < items.length; start += 25) {
    let requests: Record<string, unknown>[] | undefined = items
      .slice(start, start + 25)
      .map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; requests?.length && attempt < 8; attempt++) {
      const result = await table.db.send(
        new BatchWriteCommand({ RequestItems: { [table.name]: requests as never } }),
      );
      requests = result.UnprocessedItems?.[table.name] as Record<string, unknown>[] | undefined;
      if (requests?.length) await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
    }
    if (requests?.length) throw new Error('audit entries could not be written');
  }
}

export type AuditPartition =
  | { index: 'day'; day: string; shard: number }
  | { index: 'ticket'; partition: string }
  | { index: 'actor'; partition: string };

/** One page of entries of one partition between two instants, oldest first. */
export async function queryAuditEntries(
  table: Table,
  where: AuditPartition,
  range: { from: string; to: string },
  limit: number,
  startKey?: Record<string, unknown>,
): Promise<{ items: AuditEntry[]; ids: string[]; next?: Record<string, unknown> }> {
  const [indexName, pkName, skName, partition] =
    where.index === 'day'
      ? [undefined, 'pk', 'sk', auditDayPartition(where.day, where.shard)]
      : where.index === 'ticket'
        ? ['queue', 'gsi1pk', 'gsi1sk', where.partition]
        : ['by-status', 'gsi3pk', 'gsi3sk', where.partition];
  const result = await table.db.send(
    new QueryCommand({
      TableName: table.name,
      IndexName: indexName,
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': pkName, '#sk': skName },
      // '~' sorts after '#': every entry of the last instant is inside
      ExpressionAttributeValues: { ':pk': partition, ':from': range.from, ':to': `${range.to}~` },
      Limit: limit,
      ExclusiveStartKey: startKey,
    }),
  );
  // An item listing the tickets one request read stands for one entry per ticket.
  const expanded = (result.Items ?? []).flatMap((item) => {
    const { at, actor, action, target, requestId, targets } = stripLayout<
      AuditEntry & { targets?: string[] }
    >(item);
    return (targets ?? [target]).map((each) => ({
      entry: { at, actor, action, target: each, requestId },
      id: String(item[skName]),
    }));
  });
  return {
    items: expanded.map(({ entry }) => entry),
    /** Each entry's id (its item's sort key: at#requestId#n), in the same order. */
    ids: expanded.map(({ id }) => id),
    next: result.LastEvaluatedKey,
  };
}
