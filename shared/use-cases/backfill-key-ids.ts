// Keys stored before keys had ids get one, once per table: locally in the
// data migration at each start, in AWS by the scheduled sweeper. The sweeper
// is where the table access already is (its grants include Scan and the
// writes); the CLI reaches a deployment only through the HTTP API, and a
// one-off admin route is not wanted. A marker item keeps the scan's progress,
// so a run cut short by its time budget resumes at the next page, and says
// when the table is done, after which a run costs one read.
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { backfillKeyIdsPage } from '../store/api-key-store.js';
import type { Table } from '../store/table.js';

const MARKER = { pk: 'CONFIG#keyIdBackfill', sk: 'CONFIG' };

interface Marker {
  done: boolean;
  /** Where the scan goes on; absent before the first page. */
  nextKey?: Record<string, unknown>;
  /** How many keys got an id so far. */
  assigned: number;
}

export interface KeyIdBackfillReport {
  /** The whole table has been scanned (now or by an earlier run). */
  done: boolean;
  /** The ids given in this run. */
  assigned: string[];
}

/**
 * Scans on from where the last run stopped, page by page, until the table is done or `budgetMs`
 * is spent (at least one page a run). Two runs at once give the same ids (derived from each
 * key's stored hash, written on condition), so they agree.
 */
export async function backfillKeyIdsOnce(
  table: Table,
  options: { budgetMs?: number; pageSize?: number } = {},
): Promise<KeyIdBackfillReport> {
  const stored = await table.db.send(
    new GetCommand({ TableName: table.name, Key: MARKER, ConsistentRead: true }),
  );
  const marker: Marker = { done: false, assigned: 0, ...(stored.Item as Partial<Marker> | undefined) };
  if (marker.done) return { done: true, assigned: [] };
  const deadline = Date.now() + (options.budgetMs ?? Infinity);
  const assigned: string[] = [];
  let nextKey = marker.nextKey;
  do {
    const page = await backfillKeyIdsPage(table, nextKey, options.pageSize);
    assigned.push(...page.assigned);
    nextKey = page.nextKey;
    await table.db.send(
      new PutCommand({
        TableName: table.name,
        Item: {
          ...MARKER,
          entity: 'config',
          done: !nextKey,
          assigned: marker.assigned + assigned.length,
          ...(nextKey ? { nextKey } : {}),
        },
      }),
    );
  } while (nextKey && Date.now() < deadline);
  return { done: !nextKey, assigned };
}
