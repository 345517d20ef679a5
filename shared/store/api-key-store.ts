import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Principal } from '../domain/types.js';
import { sha256Hex } from '../lib/hash.js';
import { apiKeyKey } from './keys.js';
import type { Table } from './table.js';

/** Keys are stored only as SHA-256 hashes: the table never holds a usable secret. */
export async function storeApiKey(
  table: Table,
  apiKey: string,
  principal: Principal,
  now: string,
): Promise<void> {
  await table.db.send(
    new PutCommand({
      TableName: table.name,
      Item: { ...apiKeyKey(sha256Hex(apiKey)), entity: 'apiKey', ...principal, createdAt: now },
    }),
  );
}

export async function findPrincipal(table: Table, apiKey: string): Promise<Principal | undefined> {
  const result = await table.db.send(
    new GetCommand({ TableName: table.name, Key: apiKeyKey(sha256Hex(apiKey)) }),
  );
  if (!result.Item) return undefined;
  const { role, sourceId, providerId } = result.Item as Principal;
  return { role, sourceId, providerId };
}
