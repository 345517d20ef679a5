import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DeleteCommand,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ProviderInput } from '../domain/schemas.js';
import type { Provider } from '../domain/types.js';
import { isConditionFailure } from './dynamo-client.js';
import { PROVIDER_LIST_PARTITION, providerDirectoryKey, providerKey } from './keys.js';
import { stripLayout, type Table } from './table.js';

/**
 * Grows with every change of what a router reads beside the provider item: a reservation (the capacity
 * take of its transaction), capacity given back (the stream's counter write, which comes with the
 * counts of that change), a new contract version (its transaction). Each bump rides on a write that
 * happens anyway, so it costs no request; a router's snapshot re-reads a provider's queue, counts and
 * contract only when it moved (see ProviderSnapshotCache). Never shown: the item's own bookkeeping.
 */
export const CHANGE_SEQ = 'changeSeq';

/** A provider as the table holds it, without the change marker. */
function providerOf(item: Record<string, unknown>): Provider {
  const { [CHANGE_SEQ]: _changeSeq, ...rest } = stripLayout<Record<string, unknown>>(item);
  return rest as unknown as Provider;
}

/** A listed provider and its change marker (0 before anything moved it). */
export interface ProviderState {
  provider: Provider;
  changeSeq: number;
}

const CONFIG_FIELDS = [
  'name',
  'status',
  'timeZone',
  'country',
  'sourcing',
  'businessHours',
  'holidays',
  'skills',
  'languages',
  'capacity',
  'throughputPerHour',
  'costPerItem',
  'qualityScore',
  'dataClearance',
  'dataRegions',
  'allocationShare',
  'overflow',
  'holdKeepsCapacity',
] as const satisfies readonly (keyof ProviderInput)[];

/**
 * Create or replace a provider's configuration. `openItems` is live state
 * owned by reservations, so a replace keeps it; `version` grows on every write.
 * The id goes into the provider directory first (a set on one base-table item),
 * so a consistent listing finds the provider as soon as it exists. The item
 * itself carries no index keys: every reservation changes `openItems`, and an
 * index entry would rewrite one shared index partition per reservation.
 */
export async function putProvider(
  table: Table,
  providerId: string,
  input: ProviderInput,
  now: string,
): Promise<{ provider: Provider; previous?: Provider }> {
  const set: string[] = [];
  const remove: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':zero': 0, ':one': 1, ':now': now, ':entity': 'provider' };
  for (const field of CONFIG_FIELDS) {
    names[`#${field}`] = field;
    if (input[field] === undefined) remove.push(`#${field}`);
    else {
      set.push(`#${field} = :${field}`);
      values[`:${field}`] = input[field];
    }
  }
  set.push(
    'openItems = if_not_exists(openItems, :zero)',
    'updatedAt = :now',
    'entity = :entity',
    'providerId = :id',
  );
  // Written before the directory existed: it leaves the shared listing partition now.
  remove.push('gsi3pk', 'gsi3sk');
  values[':id'] = providerId;
  await updateDirectory(table, 'ADD', providerId);
  const result = await table.db.send(
    new UpdateCommand({
      TableName: table.name,
      Key: providerKey(providerId),
      UpdateExpression: `SET ${set.join(', ')} ADD version :one${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    }),
  );
  const provider = providerOf(result.Attributes ?? {});
  return { provider };
}

export async function getProvider(table: Table, providerId: string): Promise<Provider | undefined> {
  const result = await table.db.send(
    new GetCommand({ TableName: table.name, Key: providerKey(providerId), ConsistentRead: true }),
  );
  return result.Item ? providerOf(result.Item) : undefined;
}

/** Adds a provider id to the directory, or takes it out. */
async function updateDirectory(table: Table, action: 'ADD' | 'DELETE', providerId: string): Promise<void> {
  await table.db.send(
    new UpdateCommand({
      TableName: table.name,
      Key: providerDirectoryKey(),
      UpdateExpression: `${action} providerIds :ids`,
      ExpressionAttributeValues: { ':ids': new Set([providerId]) },
    }),
  );
}

/**
 * Every provider, by id, as the table holds it now: the ids from the provider
 * directory (a consistent read of one item, so a provider created a moment ago
 * is there) plus any still listed in the legacy index partition, then the
 * items by consistent batch reads. Providers are few (tens to low thousands;
 * the directory item holds about 10,000 ids).
 */
export async function listProviders(table: Table): Promise<Provider[]> {
  return (await listProviderStates(table)).map((state) => state.provider);
}

/** The same listing (the same reads), each provider with its change marker. */
export async function listProviderStates(table: Table): Promise<ProviderState[]> {
  const [directory, legacy] = await Promise.all([
    table.db.send(
      new GetCommand({ TableName: table.name, Key: providerDirectoryKey(), ConsistentRead: true }),
    ),
    legacyListedIds(table),
  ]);
  const ids = new Set<string>([
    ...((directory.Item?.providerIds as Set<string> | undefined) ?? []),
    ...legacy,
  ]);
  const providers: ProviderState[] = [];
  const all = [...ids];
  for (let start = 0; start < all.length; start += 100) {
    let keys: Record<string, unknown>[] | undefined = all.slice(start, start + 100).map(providerKey);
    while (keys?.length) {
      const result: BatchGetCommandOutput = await table.db.send(
        new BatchGetCommand({ RequestItems: { [table.name]: { Keys: keys, ConsistentRead: true } } }),
      );
      for (const item of result.Responses?.[table.name] ?? [])
        if (item.entity === 'provider')
          providers.push({ provider: providerOf(item), changeSeq: Number(item[CHANGE_SEQ] ?? 0) });
      keys = result.UnprocessedKeys?.[table.name]?.Keys;
    }
  }
  return providers.sort((a, b) => byId(a.provider.providerId, b.provider.providerId));
}

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Providers written before the directory existed, from their shared listing-index partition. */
async function legacyListedIds(table: Table): Promise<string[]> {
  const ids: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.db.send(
      new QueryCommand({
        TableName: table.name,
        IndexName: 'by-status',
        KeyConditionExpression: 'gsi3pk = :list',
        ExpressionAttributeValues: { ':list': PROVIDER_LIST_PARTITION },
        ProjectionExpression: 'providerId',
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) ids.push(String(item.providerId));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return ids;
}

export type DeleteProviderResult = 'deleted' | 'not_found' | 'has_open_items';

export async function deleteProvider(table: Table, providerId: string): Promise<DeleteProviderResult> {
  try {
    await table.db.send(
      new DeleteCommand({
        TableName: table.name,
        Key: providerKey(providerId),
        ConditionExpression: 'attribute_exists(pk) AND openItems = :zero',
        ExpressionAttributeValues: { ':zero': 0 },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    if (await getProvider(table, providerId)) return 'has_open_items';
    await updateDirectory(table, 'DELETE', providerId);
    return 'not_found';
  }
  await updateDirectory(table, 'DELETE', providerId);
  return 'deleted';
}

/** Changes only the status (and the version, so routers and calendars see a new provider version). */
export async function setProviderStatus(
  table: Table,
  providerId: string,
  status: Provider['status'],
  now: string,
): Promise<Provider | undefined> {
  try {
    const result = await table.db.send(
      new UpdateCommand({
        TableName: table.name,
        Key: providerKey(providerId),
        UpdateExpression: 'SET #status = :status, updatedAt = :now ADD version :one',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status, ':now': now, ':one': 1 },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return providerOf(result.Attributes ?? {});
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}
