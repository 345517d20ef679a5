import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  DEFAULT_ROUTING_POLICY,
  DEFAULT_SLA_POLICY,
  type RoutingPolicy,
  routingPolicySchema,
  type SlaPolicy,
  slaPolicySchema,
} from '../domain/schemas.js';
import { configKey } from './keys.js';
import { ReadCache } from './read-cache.js';
import type { Table } from './table.js';

const POLICIES = {
  sla: { schema: slaPolicySchema, fallback: DEFAULT_SLA_POLICY },
  routing: { schema: routingPolicySchema, fallback: DEFAULT_ROUTING_POLICY },
} as const;

interface PolicyTypes {
  sla: SlaPolicy;
  routing: RoutingPolicy;
}

/** The policy in force: the stored one, else the defaults of API.md. */
export async function getPolicy<K extends keyof PolicyTypes>(table: Table, name: K): Promise<PolicyTypes[K]> {
  const result = await table.db.send(new GetCommand({ TableName: table.name, Key: configKey(name) }));
  const parsed = POLICIES[name].schema.safeParse(result.Item?.policy);
  return (parsed.success ? parsed.data : POLICIES[name].fallback) as PolicyTypes[K];
}

const cachedPolicies = { sla: new ReadCache<SlaPolicy>(), routing: new ReadCache<RoutingPolicy>() };

/** The policy in force as this container last read it (at most CONFIG_CACHE_TTL_MS old): for hot paths. */
export function cachedPolicy<K extends keyof PolicyTypes>(table: Table, name: K): Promise<PolicyTypes[K]> {
  const cache = cachedPolicies[name] as ReadCache<PolicyTypes[K]>;
  return cache.get(table.name, () => getPolicy(table, name));
}

export async function putPolicy<K extends keyof PolicyTypes>(
  table: Table,
  name: K,
  policy: PolicyTypes[K],
  now: string,
): Promise<void> {
  await table.db.send(
    new PutCommand({
      TableName: table.name,
      Item: { ...configKey(name), entity: 'config', policy, updatedAt: now },
    }),
  );
  cachedPolicies[name].forget(table.name);
}
