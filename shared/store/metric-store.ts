import { QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { COUNTERS, type CountIncrement, type Counts } from '../domain/metric-counts.js';
import { isConditionFailure } from './dynamo-client.js';
import { countedMarkerKey, metricKey } from './keys.js';
import type { Table } from './table.js';

/** The hour form the counters are read by; defined with the counters in the domain. */
export { hourOf } from '../domain/metric-counts.js';

/** How long "already counted" markers are kept: longer than any stream replay. */
const MARKER_TTL_SECONDS = 3 * 86400;

/**
 * Adds counts exactly once per marker: the marker and the counters are one
 * transaction, so a replayed stream record finds the marker and adds nothing.
 */
export async function addCountsOnce(
  table: Table,
  marker: string,
  increments: CountIncrement[],
  nowMs: number,
) {
  if (!increments.length) return 'nothing' as const;
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
                expiresAt: Math.floor(nowMs / 1000) + MARKER_TTL_SECONDS,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...increments.map(({ providerId, hour, counts, routedSkill }) => {
            const entries = Object.entries(counts)
              .filter(([, value]) => value !== 0)
              .map(([name, value]) => ({ name, placeholder: name, value }));
            if (routedSkill !== undefined && counts.routed)
              entries.push({
                name: routedBySkillAttribute(routedSkill),
                placeholder: 'routedSkill',
                value: counts.routed,
              });
            return {
              Update: {
                TableName: table.name,
                Key: metricKey(providerId, hour),
                UpdateExpression: `SET entity = :entity, providerId = :providerId, #hour = :hour ADD ${entries
                  .map(({ placeholder }) => `#${placeholder} :${placeholder}`)
                  .join(', ')}`,
                ExpressionAttributeNames: {
                  '#hour': 'hour',
                  ...Object.fromEntries(entries.map(({ name, placeholder }) => [`#${placeholder}`, name])),
                },
                ExpressionAttributeValues: {
                  ':entity': 'metric',
                  ':providerId': providerId,
                  ':hour': hour,
                  ...Object.fromEntries(entries.map(({ placeholder, value }) => [`:${placeholder}`, value])),
                },
              },
            };
          }),
        ],
      }),
    );
    return 'counted' as const;
  } catch (error) {
    if (isConditionFailure(error)) return 'already_counted' as const;
    throw error;
  }
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
