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
          ...increments.map(({ providerId, hour, counts }) => {
            const entries = Object.entries(counts).filter(([, value]) => value !== 0);
            return {
              Update: {
                TableName: table.name,
                Key: metricKey(providerId, hour),
                UpdateExpression: `SET entity = :entity, providerId = :providerId, #hour = :hour ADD ${entries
                  .map(([name]) => `#${name} :${name}`)
                  .join(', ')}`,
                ExpressionAttributeNames: {
                  '#hour': 'hour',
                  ...Object.fromEntries(entries.map(([name]) => [`#${name}`, name])),
                },
                ExpressionAttributeValues: {
                  ':entity': 'metric',
                  ':providerId': providerId,
                  ':hour': hour,
                  ...Object.fromEntries(entries.map(([name, value]) => [`:${name}`, value])),
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

/** Hourly counters of one provider for the hours from..to (inclusive, `hourOf` form). */
export async function readHourlyCounts(
  table: Table,
  providerId: string,
  fromHour: string,
  toHour: string,
): Promise<(Counts & { hour: string })[]> {
  const rows: (Counts & { hour: string })[] = [];
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
      const row: Counts & { hour: string } = { hour: String(item.hour) };
      for (const counter of COUNTERS) row[counter] = Number(item[counter] ?? 0);
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
