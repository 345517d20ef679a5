// Measurement only: with OUTROUTE_WRITE_LOG=<file> set, every DynamoDB request
// through a document client asks for its consumed capacity
// (ReturnConsumedCapacity: INDEXES) and appends one JSON line to the file: the
// operation, the keys it wrote (and how), whether it succeeded, and the
// capacity the service reported. `npm run bench:lifecycle` reads it; in AWS
// the variable is unset and the middleware is never added.
import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFileSync } from 'node:fs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

type Item = Record<string, unknown>;

/** The function being invoked (set by the local runtime while measuring), so each line says whose request it was. */
export const invocationScope = new AsyncLocalStorage<string>();

export interface LoggedWrite {
  table: string;
  pk: string;
  sk: string;
  kind: 'put' | 'update' | 'delete' | 'check';
  /** A put's index partition keys (gsi1pk, gsi2pk, gsi3pk values it carries): where its index entries go. */
  indexes?: string[];
}

const INDEX_PARTITION_KEYS = ['gsi1pk', 'gsi2pk', 'gsi3pk'];

export interface RequestLogLine {
  /** Milliseconds since the epoch, when the answer (or error) came back. */
  t: number;
  /** The API action: PutItem, UpdateItem, DeleteItem, TransactWriteItems, BatchWriteItem, GetItem, Query, … */
  op: string;
  /** The function that sent it (`http/create-ticket`, `route-tickets`, …), when known. */
  fn?: string;
  ok: boolean;
  /** The error's name when it failed; for a cancelled transaction, its reasons' codes. */
  error?: string;
  reasons?: string[];
  /** Items written (write actions only), in request order. */
  writes?: LoggedWrite[];
  /** What a read names: a GetItem's `pk`, a Query's `index:partition`, a batch's item count. */
  read?: string;
  /** ConsumedCapacity as the service answered it (a list for transactions and batches). */
  consumed?: unknown;
  /** Milliseconds from sending to the answer, retries included. */
  ms?: number;
}

const OPERATIONS: Record<string, string> = {
  PutItemCommand: 'PutItem',
  UpdateItemCommand: 'UpdateItem',
  DeleteItemCommand: 'DeleteItem',
  TransactWriteItemsCommand: 'TransactWriteItems',
  BatchWriteItemCommand: 'BatchWriteItem',
  GetItemCommand: 'GetItem',
  BatchGetItemCommand: 'BatchGetItem',
  TransactGetItemsCommand: 'TransactGetItems',
  QueryCommand: 'Query',
  ScanCommand: 'Scan',
};

function keyOf(table: unknown, source: Item | undefined, kind: LoggedWrite['kind']): LoggedWrite[] {
  if (!source || typeof source.pk !== 'string') return [];
  const write: LoggedWrite = { table: String(table), pk: source.pk, sk: String(source.sk), kind };
  if (kind === 'put') {
    const indexes = INDEX_PARTITION_KEYS.flatMap((name) =>
      typeof source[name] === 'string' ? [`${name}:${source[name]}`] : [],
    );
    if (indexes.length) write.indexes = indexes;
  }
  return [write];
}

/** The items a write request names, in the document client's (native) form. */
export function writesOf(op: string, input: Item): LoggedWrite[] {
  switch (op) {
    case 'PutItem':
      return keyOf(input.TableName, input.Item as Item, 'put');
    case 'UpdateItem':
      return keyOf(input.TableName, input.Key as Item, 'update');
    case 'DeleteItem':
      return keyOf(input.TableName, input.Key as Item, 'delete');
    case 'TransactWriteItems':
      return ((input.TransactItems ?? []) as Item[]).flatMap((entry) => {
        const [kind, action] = entry.Put
          ? (['put', entry.Put] as const)
          : entry.Update
            ? (['update', entry.Update] as const)
            : entry.Delete
              ? (['delete', entry.Delete] as const)
              : (['check', entry.ConditionCheck] as const);
        const operation = action as Item | undefined;
        return keyOf(operation?.TableName, (operation?.Item ?? operation?.Key) as Item, kind);
      });
    case 'BatchWriteItem':
      return Object.entries((input.RequestItems ?? {}) as Record<string, Item[]>).flatMap(
        ([table, requests]) =>
          requests.flatMap((request) =>
            request.PutRequest
              ? keyOf(table, (request.PutRequest as Item).Item as Item, 'put')
              : keyOf(table, (request.DeleteRequest as Item | undefined)?.Key as Item, 'delete'),
          ),
      );
    default:
      return [];
  }
}

/** The key or partition a read request names, for counting reads by kind. */
export function readOf(op: string, input: Item): string | undefined {
  switch (op) {
    case 'GetItem':
      return String((input.Key as Item | undefined)?.pk);
    case 'Query': {
      const values = Object.values((input.ExpressionAttributeValues ?? {}) as Item);
      return `${String(input.IndexName ?? 'table')}:${String(values[0])}`;
    }
    case 'BatchGetItem':
      return `${Object.values((input.RequestItems ?? {}) as Record<string, { Keys?: unknown[] }>).reduce(
        (count, request) => count + (request.Keys?.length ?? 0),
        0,
      )} items`;
    default:
      return undefined;
  }
}

/** Adds the request log to a client (idempotent per client). */
export function addRequestLog(client: DynamoDBClient, file: string): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const op = OPERATIONS[String((context as { commandName?: string }).commandName ?? '')];
      if (!op) return next(args);
      const input = args.input as Item;
      const writes = writesOf(op, input);
      const read = readOf(op, input);
      const fn = invocationScope.getStore();
      const sentAt = performance.now();
      const line: RequestLogLine = {
        t: 0,
        op,
        ...(fn ? { fn } : {}),
        ok: true,
        ...(writes.length ? { writes } : {}),
        ...(read ? { read } : {}),
      };
      try {
        const result = await next({ ...args, input: { ...input, ReturnConsumedCapacity: 'INDEXES' } });
        line.consumed = (result.output as unknown as Item).ConsumedCapacity;
        return result;
      } catch (error) {
        line.ok = false;
        line.error = (error as Error).name;
        const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
        if (reasons) line.reasons = reasons.map((reason) => reason.Code ?? 'None');
        throw error;
      } finally {
        line.t = Date.now();
        line.ms = Math.round((performance.now() - sentAt) * 10) / 10;
        appendFileSync(file, `${JSON.stringify(line)}\n`);
      }
    },
    { name: 'outrouteRequestLog', step: 'initialize', priority: 'low', override: true },
  );
}
