// Every route × every role, through the real HTTP chain. The table below has
// one row per route of infra/routes.ts: a new route fails this test until its
// row says who may call it, and each row is checked against the route table
// and against what the running API answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type RouteKey, routeKeyOf } from '../../infra/routes.js';
import { testContext } from '../fixtures/context.js';
import { providerInput, ticketInput, uniqueId } from '../fixtures/entities.js';
import { givenKey, isContractError, startTestApi, type TestApi } from '../fixtures/http.js';

/** allow: past authorization (any answer but 401/403, never 5xx); deny: 403 forbidden; public: no key needed. */
type Cell = 'allow' | 'deny';
type Row = { admin: Cell; source: Cell; provider: Cell } | 'public';

const A = 'allow';
const D = 'deny';
const adminOnly: Row = { admin: A, source: D, provider: D };
const adminAndSource: Row = { admin: A, source: A, provider: D };
const providerWork: Row = { admin: A, source: D, provider: A };

const MATRIX: Record<RouteKey, Row> = {
  'GET /health': 'public',
  'GET /openapi.json': 'public',
  'GET /v1/providers': adminOnly,
  'PUT /v1/providers/{providerId}': adminOnly,
  'GET /v1/providers/{providerId}': providerWork,
  'POST /v1/providers/{providerId}/status': adminOnly,
  'DELETE /v1/providers/{providerId}': adminOnly,
  'POST /v1/providers/{providerId}/keys': adminOnly,
  'POST /v1/sources/{sourceId}/keys': adminOnly,
  'GET /v1/keys': adminOnly,
  'DELETE /v1/keys/{keyId}': adminOnly,
  'POST /v1/keys/{keyId}/rotate': adminOnly,
  'GET /v1/audit': adminOnly,
  'GET /v1/sla-policy': adminOnly,
  'PUT /v1/sla-policy': adminOnly,
  'GET /v1/sla-policies': adminOnly,
  'PUT /v1/sla-policies/{policyId}': adminOnly,
  'GET /v1/sla-policies/{policyId}': adminOnly,
  'DELETE /v1/sla-policies/{policyId}': adminOnly,
  'GET /v1/routing-policy': adminOnly,
  'PUT /v1/routing-policy': adminOnly,
  'POST /v1/tickets': adminAndSource,
  'POST /v1/tickets/batch': adminAndSource,
  'GET /v1/tickets': adminAndSource,
  'GET /v1/tickets/{ticketId}': { admin: A, source: A, provider: A },
  'POST /v1/tickets/{ticketId}/cancel': adminAndSource,
  'PATCH /v1/tickets/{ticketId}': adminAndSource,
  'POST /v1/tickets/{ticketId}/respond': providerWork,
  'POST /v1/tickets/{ticketId}/hold': providerWork,
  'POST /v1/tickets/{ticketId}/resume': { admin: A, source: A, provider: A },
  'POST /v1/tickets/{ticketId}/escalate': providerWork,
  'POST /v1/tickets/{ticketId}/transfer': adminOnly,
  'POST /v1/providers/{providerId}/lease': providerWork,
  'POST /v1/tickets/{ticketId}/extend': providerWork,
  'POST /v1/tickets/{ticketId}/complete': providerWork,
  'POST /v1/tickets/{ticketId}/release': providerWork,
  'POST /v1/tickets/{ticketId}/reject': providerWork,
  'GET /v1/metrics/providers': adminOnly,
  'GET /v1/metrics/backlog': adminOnly,
  'GET /v1/metrics/sla': adminOnly,
  'PUT /v1/providers/{providerId}/contract': adminOnly,
  'GET /v1/providers/{providerId}/contract': adminOnly,
  'GET /v1/providers/{providerId}/contract/versions': adminOnly,
  'GET /v1/providers/{providerId}/scorecard': adminOnly,
  'GET /v1/scorecards': adminOnly,
  'POST /v1/tickets/{ticketId}/feedback': adminAndSource,
  'GET /v1/webhooks': providerWork,
  'PUT /v1/webhooks/{webhookId}': providerWork,
  'GET /v1/webhooks/{webhookId}': providerWork,
  'DELETE /v1/webhooks/{webhookId}': providerWork,
  'POST /v1/webhooks/{webhookId}/test': providerWork,
  'GET /v1/webhooks/{webhookId}/deliveries': providerWork,
};

const ctx = testContext();
let api: TestApi;
const keys = { admin: '', source: '', provider: '' };
const world = { providerId: '', sourceId: '', ticketId: '' };

beforeAll(async () => {
  api = await startTestApi();
  keys.admin = (await givenKey(ctx, { role: 'admin' })).apiKey;
  world.providerId = uniqueId('bpo');
  world.sourceId = uniqueId('crm');
  await api.call('PUT', `/v1/providers/${world.providerId}`, {
    key: keys.admin,
    body: { ...providerInput({ timeZone: 'UTC' }), businessHours: undefined },
  });
  keys.source = (await givenKey(ctx, { role: 'source', sourceId: world.sourceId })).apiKey;
  keys.provider = (await givenKey(ctx, { role: 'provider', providerId: world.providerId })).apiKey;
  world.ticketId = (
    await api.call('POST', '/v1/tickets', { key: keys.source, body: ticketInput() })
  ).body.ticketId;
});
afterAll(async () => {
  await api.stop();
});

/** The path with its parameters: the caller's own provider, a real ticket, a throwaway key or provider to delete. */
async function pathFor(path: string): Promise<string> {
  let filled = path;
  if (filled.includes('{keyId}')) {
    const throwaway = await givenKey(ctx, { role: 'source', sourceId: uniqueId('tmp') });
    filled = filled.replace('{keyId}', throwaway.keyId);
  }
  return filled
    .replace('{providerId}', world.providerId)
    .replace('{sourceId}', world.sourceId)
    .replace('{ticketId}', world.ticketId)
    .replace('{webhookId}', 'no-such-webhook')
    .replace('{policyId}', 'no-such-policy');
}

describe('the route × role matrix', () => {
  it('has exactly one row per route of the route table', () => {
    expect(Object.keys(MATRIX).sort()).toStrictEqual(ROUTES.map(routeKeyOf).sort());
  });

  it.each(ROUTES.map((route) => [routeKeyOf(route), route] as const))(
    '%s: the row agrees with the roles of the route table',
    (key, route) => {
      const row = MATRIX[key as RouteKey] as Row;
      if (route.roles === 'public') expect(row).toBe('public');
      else {
        expect(row).not.toBe('public');
        for (const role of ['admin', 'source', 'provider'] as const) {
          expect((row as Exclude<Row, 'public'>)[role], role).toBe(
            (route.roles as readonly string[]).includes(role) ? 'allow' : 'deny',
          );
        }
      }
    },
  );

  const cases = ROUTES.flatMap((route) =>
    (['admin', 'source', 'provider', 'anonymous'] as const).map((role) => [routeKeyOf(route), role] as const),
  );

  it.each(cases)('%s as %s', async (key, role) => {
    const [method, template] = key.split(' ') as [string, string];
    // DELETE of the shared provider would take the world away: delete a fresh one.
    const path =
      key === 'DELETE /v1/providers/{providerId}' && role === 'admin'
        ? `/v1/providers/${uniqueId('gone')}`
        : await pathFor(template);
    const answer = await api.call(method, path, {
      key: role === 'anonymous' ? undefined : keys[role],
      rawBody: method === 'GET' ? undefined : '{}',
    });
    expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500);
    const row = MATRIX[key as RouteKey] as Row;
    if (row === 'public') {
      expect(answer.status).toBe(200);
      return;
    }
    if (role === 'anonymous') {
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe('unauthenticated');
      return;
    }
    if (row[role] === 'deny') {
      expect(answer.status).toBe(403);
      expect(answer.body.error.code).toBe('forbidden');
    } else {
      expect([401, 403]).not.toContain(answer.status);
    }
    if (answer.status >= 400) expect(isContractError(answer.body)).toBe(true);
  });
});
