// Provider contracts, KPI counters and frozen statements (issue 10). Versions are never overwritten: a new
// version is one transaction that moves the head on condition of the version read and puts the version on
// condition that it does not exist yet.
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { type ContractInput, type ContractVersion } from '../domain/contracts.js';
import type { QualityDay } from '../domain/feedback.js';
import type { KpiCounters } from '../domain/kpi-counts.js';
import type { Adjustment } from '../domain/scorecard.js';
import { failedConditionIndexes, isConditionFailure } from './dynamo-client.js';
import {
  contractDirectoryKey,
  contractHeadKey,
  contractPartition,
  contractVersionKey,
  kpiKey,
  providerKey,
  qualityKey,
  statementKey,
} from './keys.js';
import { CHANGE_SEQ } from './provider-store.js';
import { queryAllItems, stripLayout, type Table } from './table.js';

/** Every version of a provider's contract, oldest first (read consistently). */
export async function listContractVersions(table: Table, providerId: string): Promise<ContractVersion[]> {
  const items = await queryAllItems(table, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :v)',
    ExpressionAttributeValues: { ':pk': contractPartition(providerId), ':v': 'V#' },
    ConsistentRead: true,
  });
  return items.map((item) => stripLayout<ContractVersion>(item));
}

/** Where the provider's change mark sits in the version's transaction. */
const PROVIDER_ITEM = 3;

/**
 * The provider's change marker moves with the version (same transaction), so routers re-read its contract
 * (a version may take effect later: they keep the versions and pick the one in force as time passes).
 */
const contractChangeMark = (table: Table, providerId: string) => ({
  Update: {
    TableName: table.name,
    Key: providerKey(providerId),
    UpdateExpression: `ADD ${CHANGE_SEQ} :one`,
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':one': 1 },
  },
});

/**
 * Stores the next version. `unchanged` when the latest version already says exactly this (a retried PUT
 * makes no new version); `conflict` when another writer stored a version in between (the caller reads again);
 * `no_provider` when the provider is gone.
 */
export async function putContractVersion(
  table: Table,
  providerId: string,
  input: ContractInput,
  latest: ContractVersion | undefined,
  meta: { createdAt: string; createdBy: ContractVersion['createdBy'] },
): Promise<{ outcome: 'created' | 'conflict' | 'no_provider'; version?: ContractVersion }> {
  const number = (latest?.version ?? 0) + 1;
  const version: ContractVersion = { ...input, providerId, version: number, ...meta };
  try {
    await table.db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table.name,
              Item: { ...contractHeadKey(providerId), entity: 'contractHead', providerId, latest: number },
              ConditionExpression: latest ? 'latest = :read' : 'attribute_not_exists(pk)',
              ...(latest ? { ExpressionAttributeValues: { ':read': latest.version } } : {}),
            },
          },
          {
            Put: {
              TableName: table.name,
              Item: { ...contractVersionKey(providerId, number), entity: 'contract', ...version },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Update: {
              TableName: table.name,
              Key: contractDirectoryKey(),
              UpdateExpression: 'ADD providerIds :ids',
              ExpressionAttributeValues: { ':ids': new Set([providerId]) },
            },
          },
          contractChangeMark(table, providerId),
        ],
      }),
    );
    return { outcome: 'created', version };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return { outcome: failedConditionIndexes(error).includes(PROVIDER_ITEM) ? 'no_provider' : 'conflict' };
  }
}

/** The providers that have a contract, sorted. */
export async function contractedProviderIds(table: Table): Promise<string[]> {
  const result = await table.db.send(
    new GetCommand({ TableName: table.name, Key: contractDirectoryKey(), ConsistentRead: true }),
  );
  return [...((result.Item?.providerIds as Set<string> | undefined) ?? [])].sort();
}

const COUNTER_META = new Set(['providerId', 'month', 'day']);

/** KPI counters of one provider per local month, for the months from..to (`yyyy-MM`, inclusive). */
export async function readKpiMonths(
  table: Table,
  providerId: string,
  fromMonth: string,
  toMonth: string,
): Promise<Map<string, KpiCounters>> {
  const items = await queryAllItems(table, {
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: {
      ':pk': kpiKey(providerId, '').pk,
      ':from': kpiKey(providerId, fromMonth).sk,
      ':to': kpiKey(providerId, toMonth).sk,
    },
    ConsistentRead: true,
  });
  const months = new Map<string, KpiCounters>();
  for (const item of items) {
    const counters: KpiCounters = Object.create(null);
    for (const [name, value] of Object.entries(stripLayout<Record<string, unknown>>(item)))
      if (!COUNTER_META.has(name) && typeof value === 'number') counters[name] = value;
    months.set(String(item.month), counters);
  }
  return months;
}

/** QA score counters of one provider per UTC day since `fromDay` (inclusive). */
export async function readQualityDays(
  table: Table,
  providerId: string,
  fromDay: string,
): Promise<QualityDay[]> {
  const items = await queryAllItems(table, {
    KeyConditionExpression: 'pk = :pk AND sk >= :from',
    ExpressionAttributeValues: {
      ':pk': qualityKey(providerId, '').pk,
      ':from': qualityKey(providerId, fromDay).sk,
    },
  });
  return items.map((item) => ({
    day: String(item.day),
    qaSum: Number(item.qaSum ?? 0),
    qaCount: Number(item.qaCount ?? 0),
  }));
}

/** A frozen statement: the scorecard as closed, with the counters it was computed from. */
export interface StoredStatement {
  providerId: string;
  period: string;
  closedAt: string;
  counters: KpiCounters;
  /** The contract version the period was settled under. */
  contractVersion: number;
  scorecard: Record<string, unknown> & { netPayable: string };
  /** Adjustments of earlier periods this statement listed (late counts and their amounts in minor units). */
  adjustments: Adjustment[];
}

/** Stores a statement once: a second close of the same period finds it and changes nothing. */
export async function putStatementOnce(table: Table, statement: StoredStatement): Promise<boolean> {
  try {
    await table.db.send(
      new PutCommand({
        TableName: table.name,
        Item: {
          ...statementKey(statement.providerId, statement.period),
          entity: 'statement',
          ...statement,
          // As JSON text: the counters' names are free-form (skills) and the scorecard nests deeply.
          counters: JSON.stringify(statement.counters),
          scorecard: JSON.stringify(statement.scorecard),
          adjustments: JSON.stringify(statement.adjustments),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

const statementOf = (item: Record<string, unknown>): StoredStatement => {
  const stored = stripLayout<Record<string, unknown>>(item);
  return {
    ...(stored as unknown as StoredStatement),
    counters: JSON.parse(String(stored.counters)),
    scorecard: JSON.parse(String(stored.scorecard)),
    adjustments: JSON.parse(String(stored.adjustments ?? '[]')),
  };
};

export async function getStatement(
  table: Table,
  providerId: string,
  period: string,
): Promise<StoredStatement | undefined> {
  const result = await table.db.send(
    new GetCommand({ TableName: table.name, Key: statementKey(providerId, period), ConsistentRead: true }),
  );
  return result.Item ? statementOf(result.Item) : undefined;
}

/** Every frozen statement of a provider (months and quarters), by period. */
export async function listStatements(
  table: Table,
  providerId: string,
): Promise<Map<string, StoredStatement>> {
  const items = await queryAllItems(table, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': statementKey(providerId, '').pk },
    ConsistentRead: true,
  });
  return new Map(items.map(statementOf).map((statement) => [statement.period, statement]));
}
