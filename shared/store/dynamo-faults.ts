// AWS at its worst, on a local DynamoDB client: `OUTROUTE_FAULTS` turns on
// index lag and transaction conflicts, as middleware on the client's own stack
// (below the transient retry of dynamo-client.ts, so retries meet new faults).
// Used by `npm start` and the test harness only; in AWS the variable is unset.
import {
  type DynamoDBClient,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface Faults {
  /** Index queries answer as the index stood up to this long ago (0: fresh). */
  indexLagMs: number;
  /** Share of writes and transactions cancelled as a conflict, nothing written (0..1). */
  txnConflict: number;
  /** The sweeper's cadence (AWS: once a minute), for the local runtime's timer. */
  sweepMs?: number;
}

export const NO_FAULTS: Faults = { indexLagMs: 0, txnConflict: 0 };

const duration = (text: string, key: string): number => {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new Error(`OUTROUTE_FAULTS: ${key}=${text} is not a duration (e.g. 1000ms, 60s)`);
  const value = Number(match[1]);
  return match[2] === 'm' ? value * 60_000 : match[2] === 's' ? value * 1000 : value;
};

/** `index-lag=1000ms,txn-conflict=0.05,sweep=60s` → faults; an unknown or malformed entry fails at start. */
export function parseFaults(text: string | undefined): Faults {
  const faults: Faults = { ...NO_FAULTS };
  for (const entry of (text ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [key = '', value = ''] = entry.split('=', 2).map((part) => part.trim());
    if (key === 'index-lag') faults.indexLagMs = duration(value, key);
    else if (key === 'sweep') faults.sweepMs = duration(value, key);
    else if (key === 'txn-conflict') {
      const rate = Number(value);
      if (!(rate >= 0 && rate < 1))
        throw new Error(`OUTROUTE_FAULTS: txn-conflict=${value} is not a rate in [0, 1)`);
      faults.txnConflict = rate;
    } else throw new Error(`OUTROUTE_FAULTS: unknown fault "${entry}" (index-lag, txn-conflict, sweep)`);
  }
  return faults;
}

export const hasFaults = (faults: Faults) => faults.indexLagMs > 0 || faults.txnConflict > 0;

type Item = Record<string, unknown>;
interface Write {
  at: number;
  /** The item as it was just before this write (undefined: it did not exist). */
  before: Item | undefined;
}

export interface FaultOptions {
  /** Reads the table's current items (consistent), on a client without faults. */
  reader: DynamoDBDocumentClient;
  tableKey?: [string, string];
  /** Index name → its partition and sort key attributes. */
  indexes: Record<string, [string, string]>;
  random?: () => number;
  now?: () => number;
}

const WRITES = new Set([
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'TransactWriteItemsCommand',
]);

/**
 * Installs the faults on a client (document commands through it included):
 *
 * - **txn-conflict**: each Put/Update/Delete fails at the rate with
 *   `TransactionConflictException`, each TransactWriteItems with
 *   `TransactionCanceledException` whose `CancellationReasons` hold one
 *   `TransactionConflict` (the others `None`), as AWS answers; nothing is written.
 * - **index-lag**: every write through this client records the item as it was
 *   before (one consistent read). A Query on an index then answers as the
 *   index stood `lag` ago: an item written within the lag is shown as its
 *   image before the first of those writes — left out if that image was not in
 *   the queried partition (or range), kept in its old form if it was. Images
 *   added back are not checked against a FilterExpression (they are left out
 *   when the query has one) and are placed by the index sort key inside the
 *   page that was read. Writes by other processes are not seen (they look fresh).
 */
export function installFaults(client: DynamoDBClient, faults: Faults, options: FaultOptions): void {
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const [pkName, skName] = options.tableKey ?? ['pk', 'sk'];
  const history = new Map<string, { key: Item; tableName: string; writes: Write[] }>();
  const keyString = (tableName: string, key: Item) =>
    `${tableName}\u0000${String(key[pkName])}\u0000${String(key[skName])}`;

  const prune = () => {
    const cutoff = now() - faults.indexLagMs;
    for (const [id, entry] of history) {
      entry.writes = entry.writes.filter((write) => write.at > cutoff);
      if (!entry.writes.length) history.delete(id);
    }
  };

  const keysOf = (commandName: string, input: Item): { tableName: string; key: Item }[] => {
    const one = (operation: Item | undefined) => {
      if (!operation) return [];
      const tableName = String(operation.TableName);
      const source = (operation.Key ?? operation.Item) as Item | undefined;
      if (!source || typeof source[pkName] !== 'string') return [];
      return [{ tableName, key: { [pkName]: source[pkName], [skName]: source[skName] } }];
    };
    if (commandName === 'TransactWriteItemsCommand')
      return ((input.TransactItems ?? []) as Item[]).flatMap((entry) =>
        one((entry.Put ?? entry.Update ?? entry.Delete) as Item | undefined),
      );
    return one(input);
  };

  const readBefore = async (keys: { tableName: string; key: Item }[]): Promise<Map<string, Item>> => {
    const found = new Map<string, Item>();
    const byTable = new Map<string, Item[]>();
    for (const { tableName, key } of keys) byTable.set(tableName, [...(byTable.get(tableName) ?? []), key]);
    for (const [tableName, tableKeys] of byTable) {
      let pending: Item[] | undefined = tableKeys;
      while (pending?.length) {
        const result = await options.reader.send(
          new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }),
        );
        for (const item of result.Responses?.[tableName] ?? []) found.set(keyString(tableName, item), item);
        pending = result.UnprocessedKeys?.[tableName]?.Keys as Item[] | undefined;
      }
    }
    return found;
  };

  const conflict = (commandName: string, input: Item): Error => {
    const $metadata = { httpStatusCode: 400, attempts: 1, totalRetryDelay: 0 };
    if (commandName !== 'TransactWriteItemsCommand')
      return new TransactionConflictException({
        message: 'Transaction is ongoing for the item (injected by OUTROUTE_FAULTS)',
        $metadata,
      });
    const count = ((input.TransactItems ?? []) as unknown[]).length;
    const victim = Math.floor(random() * count);
    const codes = Array.from({ length: count }, (_, index) =>
      index === victim ? 'TransactionConflict' : 'None',
    );
    return new TransactionCanceledException({
      message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`,
      $metadata,
      CancellationReasons: codes.map((Code) =>
        Code === 'None' ? { Code } : { Code, Message: 'Transaction is ongoing for the item' },
      ),
    });
  };

  client.middlewareStack.add(
    (next, context) => async (args) => {
      const commandName = String((context as { commandName?: string }).commandName ?? '');
      const input = args.input as Item;
      if (WRITES.has(commandName)) {
        if (faults.txnConflict > 0 && random() < faults.txnConflict) throw conflict(commandName, input);
        if (faults.indexLagMs <= 0) return next(args);
        const keys = keysOf(commandName, input);
        const before = keys.length ? await readBefore(keys) : new Map<string, Item>();
        const result = await next(args);
        const at = now();
        for (const { tableName, key } of keys) {
          const id = keyString(tableName, key);
          const entry = history.get(id) ?? { key, tableName, writes: [] };
          entry.writes.push({ at, before: before.get(id) });
          history.set(id, entry);
        }
        prune();
        return result;
      }
      if (commandName === 'QueryCommand' && faults.indexLagMs > 0 && input.IndexName) {
        const result = await next(args);
        prune();
        return {
          ...result,
          output: lagged(input, result.output as unknown as Item) as unknown as typeof result.output,
        };
      }
      return next(args);
    },
    { name: 'outrouteFaults', step: 'initialize', priority: 'low', override: true },
  );

  /** The query's answer as the index stood `lag` ago (see above). */
  function lagged(input: Item, output: Item): Item {
    const index = options.indexes[String(input.IndexName)];
    const condition = parseKeyCondition(input);
    const items = (output.Items ?? []) as Item[];
    if (!index || !condition || !history.size) return output;
    const [indexPk, indexSk] = index;
    const tableName = String(input.TableName);
    const unsettled = new Map<string, Item | undefined>();
    for (const [id, entry] of history)
      if (entry.tableName === tableName) unsettled.set(id, entry.writes[0]?.before);
    const kept = items.filter((item) => !unsettled.has(keyString(tableName, item)));
    if (input.FilterExpression === undefined && input.Select !== 'COUNT') {
      const last = output.LastEvaluatedKey ? items.at(-1)?.[indexSk] : undefined;
      for (const old of unsettled.values()) {
        if (!old || old[indexPk] !== condition.partition || old[indexSk] === undefined) continue;
        if (!condition.sort(old[indexSk])) continue;
        if (last !== undefined && compare(old[indexSk], last) > 0) continue;
        kept.push(old);
      }
    }
    const direction = input.ScanIndexForward === false ? -1 : 1;
    kept.sort(
      (a, b) =>
        direction *
        (compare(a[indexSk], b[indexSk]) || compare(a[pkName], b[pkName]) || compare(a[skName], b[skName])),
    );
    const limited = typeof input.Limit === 'number' ? kept.slice(0, input.Limit) : kept;
    return { ...output, Items: limited, Count: limited.length };
  }
}

const compare = (a: unknown, b: unknown): number => {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const [x, y] = [String(a), String(b)];
  return x < y ? -1 : x > y ? 1 : 0;
};

/**
 * The forms of key condition Outroute writes: `P = :v`, optionally
 * `AND S (<|<=|>|>=|=) :w`, `AND S BETWEEN :a AND :b`, `AND begins_with(S, :p)`,
 * with `#names` resolved. Anything else: undefined (the answer is left fresh).
 */
function parseKeyCondition(
  input: Item,
): { partition: unknown; sort: (value: unknown) => boolean } | undefined {
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
  const expression = String(input.KeyConditionExpression ?? '').trim();
  const value = (placeholder: string) => values[placeholder];
  const [partitionPart, ...rest] = expression.split(/\s+AND\s+/i);
  const partition = /^([#\w]+)\s*=\s*(:\w+)$/.exec(partitionPart?.trim() ?? '');
  if (!partition) return undefined;
  const sortText = rest.join(' AND ').trim();
  if (!sortText) return { partition: value(partition[2] as string), sort: () => true };
  const between = /^[#\w]+\s+BETWEEN\s+(:\w+)\s+AND\s+(:\w+)$/i.exec(sortText);
  if (between) {
    const [low, high] = [value(between[1] as string), value(between[2] as string)];
    return {
      partition: value(partition[2] as string),
      sort: (v) => compare(v, low) >= 0 && compare(v, high) <= 0,
    };
  }
  const prefix = /^begins_with\(\s*[#\w]+\s*,\s*(:\w+)\s*\)$/i.exec(sortText);
  if (prefix) {
    const start = String(value(prefix[1] as string));
    return { partition: value(partition[2] as string), sort: (v) => String(v).startsWith(start) };
  }
  const comparison = /^[#\w]+\s*(<=|>=|<|>|=)\s*(:\w+)$/.exec(sortText);
  if (!comparison) return undefined;
  const bound = value(comparison[2] as string);
  const test = {
    '<': (c: number) => c < 0,
    '<=': (c: number) => c <= 0,
    '>': (c: number) => c > 0,
    '>=': (c: number) => c >= 0,
    '=': (c: number) => c === 0,
  }[comparison[1] as '<' | '<=' | '>' | '>=' | '='];
  return { partition: value(partition[2] as string), sort: (v) => test(compare(v, bound)) };
}
