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

/** Entries kept as items: one partition per UTC day, and indexed by ticket and by actor. */
export async function putAuditEntries(
  table: Table,
  entries: (AuditEntry & { ticketId?: string })[],
  retentionDays: number,
): Promise<void> {
  const items = entries.map(({ ticketId, ...entry }, index) => {
    const entryId = `${entry.at}#${entry.requestId}#${index}`;
    return {
      ...auditKey(entry.at.slice(0, 10), entryId),
      ...auditIndexKeys(entryId, ticketId, entry.actor.keyId),
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
  return {
    items: (result.Items ?? []).map((item) => {
      const { at, actor, action, target, requestId } = stripLayout<AuditEntry>(item);
      return { at, actor, action, target, requestId };
    }),
    /** Each entry's id (its sort key: at#requestId#n), in the same order. */
    ids: (result.Items ?? []).map((item) => String(item[skName])),
    next: result.LastEvaluatedKey,
  };
}
