import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { capacityUnits, isOpen } from '../domain/ticket.js';
import type { Ticket } from '../domain/types.js';
import { failedConditionIndexes, isConditionFailure } from './dynamo-client.js';
import {
  providerKey,
  queueIndexKeys,
  statusIndexKeys,
  statusPartition,
  ticketKey,
  timerIndexKeys,
} from './keys.js';
import { stripLayout, type Table } from './table.js';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** How long closed tickets are kept before DynamoDB's TTL removes them. */
export const CLOSED_RETENTION_DAYS = 90;
const PAYLOAD_SK = 'PAYLOAD';

/** The stored item: the ticket plus the index keys its state calls for (sparse indexes). */
export function ticketItem(ticket: Ticket): Record<string, unknown> {
  const item: Record<string, unknown> = {
    ...ticket,
    ...ticketKey(ticket.ticketId),
    entity: 'ticket',
    ...statusIndexKeys(ticket.status, ticket.createdAt, ticket.ticketId),
  };
  if (ticket.status === 'queued' && ticket.providerId) {
    Object.assign(item, queueIndexKeys(ticket.providerId, ticket.dueAt, ticket.ticketId));
  }
  if (isOpen(ticket.status) && ticket.nextCheckAt)
    Object.assign(item, timerIndexKeys(ticket.ticketId, ticket.nextCheckAt));
  if (!isOpen(ticket.status)) {
    item.expiresAt = Math.floor(Date.parse(ticket.updatedAt) / 1000) + CLOSED_RETENTION_DAYS * 86400;
  }
  return item;
}

export async function insertTicket(
  table: Table,
  ticket: Ticket,
  payload: unknown,
): Promise<'created' | 'exists'> {
  const put = {
    TableName: table.name,
    Item: ticketItem(ticket),
    ConditionExpression: 'attribute_not_exists(pk)',
  };
  try {
    if (payload === undefined) await table.db.send(new PutCommand(put));
    else {
      // Ticket and payload land together or not at all.
      await table.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: put },
            {
              Put: {
                TableName: table.name,
                // As JSON text: a map attribute would refuse (or worse, silently change) keys such as
                // "constructor" or "", numbers beyond DynamoDB's range, and nesting beyond 32 levels.
                Item: {
                  pk: ticketKey(ticket.ticketId).pk,
                  sk: PAYLOAD_SK,
                  entity: 'payload',
                  payloadJson: JSON.stringify(payload),
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      );
    }
    return 'created';
  } catch (error) {
    if (isConditionFailure(error)) return 'exists';
    throw error;
  }
}

export async function getTicket(table: Table, ticketId: string): Promise<Ticket | undefined> {
  const result = await table.db.send(
    new GetCommand({ TableName: table.name, Key: ticketKey(ticketId), ConsistentRead: true }),
  );
  return result.Item ? stripLayout<Ticket>(result.Item) : undefined;
}

export async function getPayloads(table: Table, ticketIds: string[]): Promise<Map<string, unknown>> {
  const payloads = new Map<string, unknown>();
  for (let start = 0; start < ticketIds.length; start += 100) {
    let keys: Record<string, unknown>[] | undefined = ticketIds
      .slice(start, start + 100)
      .map((id) => ({ pk: ticketKey(id).pk, sk: PAYLOAD_SK }));
    while (keys?.length) {
      const result: BatchGetCommandOutput = await table.db.send(
        new BatchGetCommand({ RequestItems: { [table.name]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of result.Responses?.[table.name] ?? []) {
        payloads.set(String(item.pk).slice('TICKET#'.length), payloadOf(item));
      }
      keys = result.UnprocessedKeys?.[table.name]?.Keys;
    }
  }
  return payloads;
}

/** Payloads are kept as JSON text; items written before that kept a map attribute. */
const payloadOf = (item: Record<string, unknown>): unknown =>
  typeof item.payloadJson === 'string' ? JSON.parse(item.payloadJson) : item.payload;

/**
 * `units` (effort units) of a provider's capacity taken — only from an active provider with room for all of
 * them — or given back (negative). DynamoDB conditions cannot add, so more than one unit is taken against
 * the capacity read from the provider: room means `openItems <= capacity - units`, and the same write
 * requires the capacity to be still that value, so a capacity edit racing the reservation fails it instead
 * of letting it overrun. One unit needs no capacity read: `openItems < capacity`, as always.
 */
export function capacityChange(
  table: Table,
  providerId: string,
  units: number,
  capacity?: number,
): TransactItem {
  if (units < 0) {
    return {
      Update: {
        TableName: table.name,
        Key: providerKey(providerId),
        UpdateExpression: 'ADD openItems :minus',
        ConditionExpression: 'openItems >= :units',
        ExpressionAttributeValues: { ':minus': units, ':units': -units },
      },
    };
  }
  const names = { '#status': 'status', '#capacity': 'capacity' };
  if (units === 1) {
    return {
      Update: {
        TableName: table.name,
        Key: providerKey(providerId),
        UpdateExpression: 'ADD openItems :one',
        ConditionExpression: 'openItems < #capacity AND #status = :active',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':one': 1, ':active': 'active' },
      },
    };
  }
  // Unknown capacity: a limit no counter meets, so the reservation is refused rather than guessed.
  const known = capacity ?? -1;
  return {
    Update: {
      TableName: table.name,
      Key: providerKey(providerId),
      UpdateExpression: 'ADD openItems :units',
      ConditionExpression: 'openItems <= :limit AND #capacity = :capacity AND #status = :active',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: {
        ':units': units,
        ':limit': known - units,
        ':capacity': known,
        ':active': 'active',
      },
    },
  };
}

export type SaveResult = { ok: true } | { ok: false; staleTicket: boolean; failedProvider: boolean };

export interface SaveOptions {
  /** A provider's capacity as the caller read it (the router's snapshot); else it is read when needed. */
  capacityOf?: (providerId: string) => number | undefined;
}

/**
 * Write a ticket's next state on condition that nobody changed it since it
 * was read (`version`), together with the capacity changes that its move
 * implies, all in one transaction.
 */
export async function saveTicket(
  table: Table,
  previous: Ticket,
  next: Ticket,
  options: SaveOptions = {},
): Promise<SaveResult> {
  const put = {
    TableName: table.name,
    Item: ticketItem({ ...next, version: previous.version + 1 }),
    ConditionExpression: 'version = :expected',
    ExpressionAttributeValues: { ':expected': previous.version },
  };
  const capacity = await capacityChanges(table, previous, next, options);
  try {
    if (capacity.length === 0) await table.db.send(new PutCommand(put));
    else await table.db.send(new TransactWriteCommand({ TransactItems: [{ Put: put }, ...capacity] }));
    return { ok: true };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    if (capacity.length === 0) return { ok: false, staleTicket: true, failedProvider: false };
    const failed = failedConditionIndexes(error);
    return { ok: false, staleTicket: failed.includes(0), failedProvider: failed.some((index) => index > 0) };
  }
}

/** The effort units a move takes from and gives to providers: one update per provider. */
async function capacityChanges(
  table: Table,
  previous: Ticket,
  next: Ticket,
  options: SaveOptions,
): Promise<TransactItem[]> {
  const units = new Map<string, number>();
  const add = (providerId: string | undefined, delta: number) => {
    if (providerId && delta !== 0) units.set(providerId, (units.get(providerId) ?? 0) + delta);
  };
  add(previous.providerId, -capacityUnits(previous));
  add(next.providerId, capacityUnits(next));
  const changes: TransactItem[] = [];
  for (const [providerId, delta] of units) {
    if (delta === 0) continue;
    const capacity =
      delta > 1
        ? (options.capacityOf?.(providerId) ?? (await providerCapacity(table, providerId)))
        : undefined;
    changes.push(capacityChange(table, providerId, delta, capacity));
  }
  // Given back first, then taken: a failed take is reported by its index either way.
  return changes;
}

async function providerCapacity(table: Table, providerId: string): Promise<number | undefined> {
  const result = await table.db.send(
    new GetCommand({
      TableName: table.name,
      Key: providerKey(providerId),
      ConsistentRead: true,
      ProjectionExpression: '#capacity',
      ExpressionAttributeNames: { '#capacity': 'capacity' },
    }),
  );
  const capacity = result.Item?.capacity;
  return typeof capacity === 'number' ? capacity : undefined;
}

export interface Page<T> {
  items: T[];
  cursor?: string;
}

const encodeCursor = (key: Record<string, unknown> | undefined) =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;

export function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return key && typeof key === 'object' && !Array.isArray(key) ? key : undefined;
  } catch {
    return undefined;
  }
}

/** One page of a query over an index, with an opaque cursor. */
export async function queryTickets(
  table: Table,
  query: {
    index: 'queue' | 'timers' | 'by-status';
    partition: string;
    sortBefore?: string;
    limit: number;
    cursor?: Record<string, unknown>;
    filter?: { expression: string; values: Record<string, unknown> };
  },
): Promise<Page<Ticket>> {
  const [pkName, skName] = {
    queue: ['gsi1pk', 'gsi1sk'],
    timers: ['gsi2pk', 'gsi2sk'],
    'by-status': ['gsi3pk', 'gsi3sk'],
  }[query.index] as [string, string];
  const result = await table.db.send(
    new QueryCommand({
      TableName: table.name,
      IndexName: query.index,
      KeyConditionExpression: query.sortBefore ? '#pk = :pk AND #sk < :before' : '#pk = :pk',
      ExpressionAttributeNames: { '#pk': pkName, ...(query.sortBefore ? { '#sk': skName } : {}) },
      ExpressionAttributeValues: {
        ':pk': query.partition,
        ...(query.sortBefore ? { ':before': query.sortBefore } : {}),
        ...query.filter?.values,
      },
      FilterExpression: query.filter?.expression,
      Limit: query.limit,
      ExclusiveStartKey: query.cursor,
    }),
  );
  return {
    items: (result.Items ?? []).map((item) => stripLayout<Ticket>(item)),
    cursor: encodeCursor(result.LastEvaluatedKey),
  };
}

/** Every ticket in the given statuses, read page by page from the status index. */
export async function ticketsWithStatus(table: Table, statuses: readonly string[]): Promise<Ticket[]> {
  const tickets: Ticket[] = [];
  for (const status of statuses) {
    let cursor: Record<string, unknown> | undefined;
    do {
      const page = await queryTickets(table, {
        index: 'by-status',
        partition: statusPartition(status),
        limit: 500,
        cursor,
      });
      tickets.push(...page.items);
      cursor = decodeCursor(page.cursor);
    } while (cursor);
  }
  return tickets;
}
