import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Where the data lives: passed to every store function, never built at module scope. */
export interface Table {
  db: DynamoDBDocumentClient;
  name: string;
}

/** Attributes that belong to the table layout, not to the entity. */
const LAYOUT_ATTRIBUTES = new Set([
  'pk',
  'sk',
  'entity',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'gsi3pk',
  'gsi3sk',
  'expiresAt',
]);

export function stripLayout<T>(item: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(item).filter(([key]) => !LAYOUT_ATTRIBUTES.has(key))) as T;
}
