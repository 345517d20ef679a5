import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ProviderInput } from '../domain/schemas.js';
import type { Provider } from '../domain/types.js';
import { isConditionFailure } from './dynamo-client.js';
import { PROVIDER_LIST_PARTITION, providerKey } from './keys.js';
import { stripLayout, type Table } from './table.js';

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
] as const satisfies readonly (keyof ProviderInput)[];

/**
 * Create or replace a provider's configuration. `openItems` is live state
 * owned by reservations, so a replace keeps it; `version` grows on every write.
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
    'gsi3pk = :list',
    'gsi3sk = :id',
  );
  values[':id'] = providerId;
  values[':list'] = PROVIDER_LIST_PARTITION;
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
  const provider = stripLayout<Provider>(result.Attributes ?? {});
  return { provider };
}

export async function getProvider(table: Table, providerId: string): Promise<Provider | undefined> {
  const result = await table.db.send(
    new GetCommand({ TableName: table.name, Key: providerKey(providerId), ConsistentRead: true }),
  );
  return result.Item ? stripLayout<Provider>(result.Item) : undefined;
}

/**
 * Every provider, by id. Providers are few (tens to low thousands), so they
 * share one partition of the listing index.
 */
export async function listProviders(table: Table): Promise<Provider[]> {
  const providers: Provider[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.db.send(
      new QueryCommand({
        TableName: table.name,
        IndexName: 'by-status',
        KeyConditionExpression: 'gsi3pk = :list',
        ExpressionAttributeValues: { ':list': PROVIDER_LIST_PARTITION },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) providers.push(stripLayout<Provider>(item));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return providers;
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
    return 'deleted';
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return (await getProvider(table, providerId)) ? 'has_open_items' : 'not_found';
  }
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
    return stripLayout<Provider>(result.Attributes ?? {});
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}
