import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { holdsCapacity, isOpen } from '../domain/ticket.js';
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

/** One unit of capacity taken (only from an active provider with room) or given back. */
export function capacityChange(table: Table, providerId: string, delta: 1 | -1): TransactItem {
  return delta === 1
    ? {
        Update: {
          TableName: table.name,
          Key: providerKey(providerId),
          UpdateExpression: 'ADD openItems :one',
          ConditionExpression: 'openItems < #capacity AND #status = :active',
          ExpressionAttributeNames: { '#status': 'status', '#capacity': 'capacity' },
          ExpressionAttributeValues: { ':one': 1, ':active': 'active' },
        },
      }
    : {
        Update: {
          TableName: table.name,
          Key: providerKey(providerId),
          UpdateExpression: 'ADD openItems :minusOne',
          ConditionExpression: 'openItems > :zero',
          ExpressionAttributeValues: { ':minusOne': -1, ':zero': 0 },
        },
      };
}

export type SaveResult = { ok: true } | { ok: false; staleTicket: boolean; failedProvider: boolean };

/**
 * Write a ticket's next state on condition that nobody changed it since it
 * was read (`version`), together with the capacity changes that its move
 * implies, all in one transaction.
 */
export async function saveTicket(table: Table, previous: Ticket, next: Ticket): Promise<SaveResult> {
  const put = {
    TableName: table.name,
    Item: ticketItem({ ...next, version: previous.version + 1 }),
    ConditionExpression: 'version = :expected',
    ExpressionAttributeValues: { ':expected': previous.version },
  };
  const capacity = capacityChanges(table, previous, next);
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

function capacityChanges(table: Table, previous: Ticket, next: Ticket): TransactItem[] {
  const before = holdsCapacity(previous.status) ? previous.providerId : undefined;
  const after = holdsCapacity(next.status) ? next.providerId : undefined;
  if (before === after) return [];
  const changes: TransactItem[] = [];
  if (before) changes.push(capacityChange(table, before, -1));
  if (after) changes.push(capacityChange(table, after, 1));
  return changes;
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
