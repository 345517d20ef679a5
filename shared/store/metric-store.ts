import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import {
  COUNTERS,
  type CounterIncrement,
  type CountIncrement,
  type Counts,
} from '../domain/metric-counts.js';
import { isConditionFailure } from './dynamo-client.js';
import { countedMarkerKey, metricKey } from './keys.js';
import type { Table } from './table.js';

/** The hour form the counters are read by; defined with the counters in the domain. */
export { hourOf } from '../domain/metric-counts.js';

/** How long "already counted" markers are kept: longer than any stream replay. */
const MARKER_TTL_SECONDS = 3 * 86400;

/** The most items one transaction may hold, one of them the marker. */
export const MAX_COUNTER_ITEMS = 99;

export type CountOutcome = 'counted' | 'already_counted' | 'nothing';

/**
 * Adds counts exactly once per marker: the marker and the counters are one
 * transaction, so a replay finds the marker and adds nothing. The marker keeps
 * `upTo` (what it covered), read back with `countedUpTo` when a replay covers more.
 */
export async function addCountsOnce(
  table: Table,
  marker: string,
  increments: CounterIncrement[],
  nowMs: number,
  upTo?: string,
): Promise<CountOutcome> {
  if (!increments.length) return 'nothing';
  if (increments.length > MAX_COUNTER_ITEMS)
    throw new Error(`at most ${MAX_COUNTER_ITEMS} counter items per marker, not ${increments.length}`);
  try {
    await table.db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table.name,
              Item: {
                ...countedMarkerKey(marker),
                entity: 'marker',
                ...(upTo === undefined ? {} : { upTo }),
                expiresAt: Math.floor(nowMs / 1000) + MARKER_TTL_SECONDS,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...increments.map((increment) => ({
            Update: { TableName: table.name, ...counterUpdate(increment) },
          })),
        ],
      }),
    );
    return 'counted';
  } catch (error) {
    if (isConditionFailure(error)) return 'already_counted';
    throw error;
  }
}

/** What a marker covered (its `upTo`), if it exists: read consistently, it was written in a transaction. */
export async function countedUpTo(table: Table, marker: string): Promise<string | undefined> {
  const result = await table.db.send(
    new GetCommand({ TableName: table.name, Key: countedMarkerKey(marker), ConsistentRead: true }),
  );
  return result.Item?.upTo === undefined ? undefined : String(result.Item.upTo);
}

function counterUpdate({ key, set = {}, add }: CounterIncrement) {
  // Placeholders by position: counter names may be any string (skills, periods).
  const setEntries = Object.entries(set);
  const addEntries = Object.entries(add);
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets = setEntries.map(([name, value], index) => {
    names[`#s${index}`] = name;
    values[`:s${index}`] = value;
    return `#s${index} = :s${index}`;
  });
  const adds = addEntries.map(([name, value], index) => {
    names[`#a${index}`] = name;
    values[`:a${index}`] = value;
    return `#a${index} :a${index}`;
  });
  return {
    Key: key,
    UpdateExpression: `${sets.length ? `SET ${sets.join(', ')} ` : ''}ADD ${adds.join(', ')}`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** An hourly metrics change as a counter item's change. */
export function hourlyCounter({ providerId, hour, counts, routedSkill }: CountIncrement): CounterIncrement {
  const add: Record<string, number> = Object.fromEntries(
    Object.entries(counts).filter(([, value]) => value !== 0),
  );
  if (routedSkill !== undefined && counts.routed)
    Object.assign(add, { [routedBySkillAttribute(routedSkill)]: counts.routed });
  return { key: metricKey(providerId, hour), set: { entity: 'metric', providerId, hour }, add };
}

/** Routings per skill sit beside the counters, one attribute per skill seen that hour. */
const ROUTED_SKILL_PREFIX = 'routed@';
const routedBySkillAttribute = (skill: string) => `${ROUTED_SKILL_PREFIX}${skill}`;

export type HourlyRow = Counts & { hour: string; routedBySkill: Record<string, number> };

/** Hourly counters of one provider for the hours from..to (inclusive, `hourOf` form). */
export async function readHourlyCounts(
  table: Table,
  providerId: string,
  fromHour: string,
  toHour: string,
): Promise<HourlyRow[]> {
  const rows: HourlyRow[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.db.send(
      new QueryCommand({
        TableName: table.name,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': metricKey(providerId, '').pk,
          ':from': metricKey(providerId, fromHour).sk,
          ':to': metricKey(providerId, toHour).sk,
        },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const row: HourlyRow = { hour: String(item.hour), routedBySkill: Object.create(null) };
      for (const counter of COUNTERS) row[counter] = Number(item[counter] ?? 0);
      for (const [name, value] of Object.entries(item)) {
        if (name.startsWith(ROUTED_SKILL_PREFIX))
          row.routedBySkill[name.slice(ROUTED_SKILL_PREFIX.length)] = Number(value);
      }
      rows.push(row);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return rows;
}

export function sumCounts(rows: Counts[]): Required<Counts> {
  const total = Object.fromEntries(COUNTERS.map((counter) => [counter, 0])) as Required<Counts>;
  for (const row of rows) for (const counter of COUNTERS) total[counter] += row[counter] ?? 0;
  return total;
}

/** Routings per skill over the rows. */
export function sumRoutedBySkill(rows: HourlyRow[]): Record<string, number> {
  // No prototype: a skill may be called "constructor" or "__proto__".
  const total: Record<string, number> = Object.create(null);
  for (const row of rows)
    for (const [skill, routed] of Object.entries(row.routedBySkill))
      total[skill] = (total[skill] ?? 0) + routed;
  return total;
}
