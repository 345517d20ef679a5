// A local data directory written by an earlier version keeps tickets in the
// earlier item layout (whole tickets in every index, a status partition per
// status) and has no backlog counters. Once, at start, before any handler runs:
// every ticket is written again in today's layout (its routing explanation in
// an item of its own) and the backlog counters are
// counted from the open tickets. In AWS a deployment starts from a new table.
// At every start, too: keys stored before keys had ids get one (once per
// table, recorded by a marker; in AWS the sweeper does it).
import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { backlogDeltas } from '../../shared/domain/backlog-counts.js';
import { mergeIncrements } from '../../shared/domain/metric-counts.js';
import { backlogCounter, listBacklogGroups } from '../../shared/store/backlog-store.js';
import { createDocumentClient } from '../../shared/store/dynamo-client.js';
import { putExplanation, ticketFromItem, ticketItem } from '../../shared/store/ticket-store.js';
import { backfillKeyIdsOnce } from '../../shared/use-cases/backfill-key-ids.js';

/** Today's layout: tickets compressed, one index entry each, explanations apart, backlog counters per group. */
export const TICKET_LAYOUT_VERSION = 3;
const MARKER = { pk: 'CONFIG#layout', sk: 'CONFIG' };

/** Every migration of a local data directory, before any handler runs; each is a read once done. */
export async function migrateLocalData(client: DynamoDBClient, tableName: string): Promise<void> {
  await migrateTicketLayout(client, tableName);
  await backfillKeyIdsOnce({ db: createDocumentClient(client), name: tableName });
}

/** Rewrites the tickets of an older layout; returns how many it rewrote (0 when the layout is current). */
export async function migrateTicketLayout(client: DynamoDBClient, tableName: string): Promise<number> {
  const db = createDocumentClient(client);
  const marker = await db.send(new GetCommand({ TableName: tableName, Key: MARKER, ConsistentRead: true }));
  if (Number(marker.Item?.version ?? 0) >= TICKET_LAYOUT_VERSION) return 0;
  const backlog: ReturnType<typeof backlogCounter>[] = [];
  let rewritten = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) {
      if (String(item.pk).startsWith('BACKLOG#') || String(item.pk) === 'DIRECTORY#backlog') {
        await db.send(new DeleteCommand({ TableName: tableName, Key: { pk: item.pk, sk: item.sk } }));
        continue;
      }
      if (item.entity !== 'ticket') continue;
      const ticket = ticketFromItem(item);
      await db.send(new PutCommand({ TableName: tableName, Item: ticketItem(ticket) }));
      if (ticket.routing) await putExplanation({ db, name: tableName }, ticket.ticketId, ticket.routing);
      backlog.push(...backlogDeltas(undefined, ticket).map(backlogCounter));
      rewritten++;
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const groups = mergeIncrements(backlog);
  for (const { key, set, add } of groups)
    await db.send(new PutCommand({ TableName: tableName, Item: { ...key, ...set, ...add } }));
  await listBacklogGroups({ db, name: tableName }, groups);
  await db.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...MARKER, entity: 'config', version: TICKET_LAYOUT_VERSION },
    }),
  );
  return rewritten;
}
