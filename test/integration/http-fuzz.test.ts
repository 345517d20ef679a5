// A property-based fuzzer over every route of the OpenAPI document, through
// the real HTTP chain (local API Gateway mapping, authorizer, middy chain,
// handlers, DynamoDB Local): hostile path segments, queries, bodies and keys
// never produce a 5xx, and every refusal has the contract's error shape.
// Bounded for the normal test run; OUTROUTE_FUZZ_RUNS=5000 for a long one.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../functions/lib/openapi.js';
import { ROUTES, routeKeyOf } from '../../infra/routes.js';
import { testContext } from '../fixtures/context.js';
import { providerInput, ticketInput, uniqueId } from '../fixtures/entities.js';
import { givenKey, isContractError, startTestApi, type TestApi } from '../fixtures/http.js';

const RUNS = Number(process.env.OUTROUTE_FUZZ_RUNS ?? 300);
const ctx = testContext();
let api: TestApi;
const keys: Record<string, string> = {};
const known: { providerId: string; sourceId: string; ticketId: string; keyId: string } = {
  providerId: '',
  sourceId: '',
  ticketId: '',
  keyId: '',
};

beforeAll(async () => {
  api = await startTestApi();
  known.providerId = uniqueId('bpo');
  known.sourceId = uniqueId('crm');
  keys.admin = (await givenKey(ctx, { role: 'admin' })).apiKey;
  const put = await api.call('PUT', `/v1/providers/${known.providerId}`, {
    key: keys.admin,
    body: { ...providerInput({ timeZone: 'UTC' }), businessHours: undefined },
  });
  expect(put.status).toBe(200);
  keys.source = (await givenKey(ctx, { role: 'source', sourceId: known.sourceId })).apiKey;
  const provider = await givenKey(ctx, { role: 'provider', providerId: known.providerId });
  keys.provider = provider.apiKey;
  known.keyId = provider.keyId;
  const ticket = await api.call('POST', '/v1/tickets', {
    key: keys.source,
    body: ticketInput({ payload: { a: 1 } }),
  });
  known.ticketId = ticket.body.ticketId;
});
afterAll(async () => {
  await api.stop();
});

// ---- hostile values ---------------------------------------------------------

const hostileNumber = fc.oneof(
  fc.constantFrom(2 ** 53 + 2, -(2 ** 60), 1e308, -1e308, 5e-324, 1e-200, -1e-131, 0, -1, 1.5, 1e21, 0.1),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);
const hostileString = fc.oneof(
  fc.constantFrom('', '__proto__', 'constructor', 'prototype', 'x'.repeat(5000), '%', '\u0000', 'Z', '24:00'),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('2026-11-22T14:05:00.000Z', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '2026-02-30'),
);
const hostileObject = fc.oneof(
  fc.constant(JSON.parse('{"__proto__": {"polluted": 1}}')),
  fc.constant({ constructor: { name: 'String' } }),
  fc.constant({ '': 1 }),
  fc.dictionary(hostileString, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileNumber,
  hostileString,
  fc.constantFrom(null, true, false),
  hostileObject,
  fc.array(fc.oneof(hostileNumber, hostileString), { maxLength: 5 }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A path segment: valid ids, hostile text (encoded), or raw malformed escapes. */
const segmentFor = (name: string) =>
  fc.oneof(
    fc.constant(known[name as keyof typeof known] ?? 'x'),
    hostileString.map(encodeURIComponent),
    fc.constantFrom('%', '%zz', '%E0%A4%A', 'a'.repeat(3000), 'A-B', '0', 'key_aaaaaaaaaaaaaaaaaaaa'),
  );

/** A valid-looking body per route, so mutations reach past the first check. */
const EXAMPLES: Record<string, unknown> = {
  'PUT /v1/providers/{providerId}': { ...providerInput({ timeZone: 'UTC' }), businessHours: undefined },
  'POST /v1/tickets': ticketInput(),
  'POST /v1/tickets/batch': { items: [ticketInput(), ticketInput()] },
  'PUT /v1/sla-policy': { targets: { P1: 3600, P2: 14400, P3: 86400, P4: 259200 }, atRiskFraction: 0.8 },
  'PUT /v1/routing-policy': {
    weights: { slack: 0.3, cost: 0.3, quality: 0.15, share: 0.15, load: 0.1 },
    relaxProficiencyAfterSeconds: 900,
  },
  'POST /v1/providers/{providerId}/lease': { max: 2, leaseSeconds: 60 },
  'POST /v1/providers/{providerId}/status': { status: 'paused' },
};

const deepText = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

function bodyFor(routeKey: string): fc.Arbitrary<{ rawBody?: string }> {
  const example = (EXAMPLES[routeKey] ?? {}) as Record<string, unknown>;
  const fields = Object.keys(example);
  const mutated = fc
    .tuple(fc.constantFrom(...(fields.length ? fields : ['field'])), hostileValue, fc.option(hostileString))
    .map(([field, value, extra]) => {
      const body: Record<string, unknown> = { ...example, [field]: value };
      if (extra !== null) body[extra] = value;
      return { rawBody: JSON.stringify(body) };
    });
  return fc.oneof(
    { weight: 4, arbitrary: mutated },
    { weight: 1, arbitrary: fc.constant({ rawBody: JSON.stringify(example) }) },
    { weight: 1, arbitrary: hostileValue.map((value) => ({ rawBody: JSON.stringify(value) })) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          fc.constantFrom('{', '[]', 'null', '"x"', '{"a":1}{', deepText(100), deepText(20000), '\u0000'),
          fc.constant(`{"payload": ${'{"a":'.repeat(40)}1${'}'.repeat(40)}}`),
          fc.constant({ rawBody: undefined }).map(() => ''),
          fc.string({ maxLength: 50 }),
        )
        .map((rawBody) => ({ rawBody })),
    },
  );
}

function queryFor(parameters: string[]): fc.Arbitrary<string> {
  const names = fc.constantFrom(...parameters, 'unknown', '__proto__', 'cursor', 'limit');
  const value = fc.oneof(
    hostileString,
    hostileNumber.map(String),
    fc.constantFrom('-1', '0', '1e308', 'NaN', 'Infinity', 'eyJzIjotMWUzMDh9', 'parked', 'queued'),
  );
  return fc
    .array(fc.tuple(names, value), { maxLength: 4 })
    .map((pairs) => (pairs.length ? `?${new URLSearchParams(pairs).toString()}` : ''));
}

// ---- the routes of the document -------------------------------------------

interface Operation {
  method: string;
  path: string;
  routeKey: string;
  queryNames: string[];
}

const document = openApiDocument();
const operations: Operation[] = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
  (['get', 'put', 'post', 'patch', 'delete'] as const).flatMap((method) => {
    const operation = (item as Record<string, { parameters?: { in: string; name: string }[] }>)[method];
    if (!operation) return [];
    return [
      {
        method: method.toUpperCase(),
        path,
        routeKey: `${method.toUpperCase()} ${path}`,
        queryNames: (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
      },
    ];
  }),
);

const requestFor = (operation: Operation) => {
  const names = [...operation.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);
  return fc.record({
    operation: fc.constant(operation),
    segments: fc
      .tuple(...names.map(segmentFor))
      .map((values) => Object.fromEntries(names.map((n, i) => [n, values[i]]))),
    query: queryFor(operation.queryNames),
    body: operation.method === 'GET' ? fc.constant({ rawBody: undefined }) : bodyFor(operation.routeKey),
    key: fc.constantFrom('admin', 'source', 'provider', 'none', 'garbage'),
  });
};

describe('the HTTP fuzzer', () => {
  it('covers every route of the OpenAPI document', () => {
    expect(operations.map((operation) => operation.routeKey).sort()).toStrictEqual(
      ROUTES.map(routeKeyOf).sort(),
    );
  });

  it('never answers 5xx, and every refusal has the error shape', async () => {
    const seen = new Map<string, Set<number>>();
    await fc.assert(
      fc.asyncProperty(fc.oneof(...operations.map(requestFor)), async (request) => {
        const { operation, segments, query, body, key } = request;
        const path = operation.path.replace(/\{(\w+)\}/g, (_m, name: string) => segments[name] as string);
        const answer = await api.call(operation.method, `${path}${query}`, {
          key: key === 'none' ? undefined : key === 'garbage' ? 'Bearer-ish nonsense' : keys[key],
          rawBody: body.rawBody,
        });
        const statuses = seen.get(operation.routeKey) ?? new Set<number>();
        statuses.add(answer.status);
        seen.set(operation.routeKey, statuses);
        expect(
          answer.status,
          `${operation.method} ${path}${query} ${body.rawBody?.slice(0, 300)}`,
        ).toBeLessThan(500);
        if (answer.status >= 400)
          expect(isContractError(answer.body), JSON.stringify(answer.body)).toBe(true);
      }),
      { numRuns: RUNS },
    );
    if (process.env.OUTROUTE_FUZZ_REPORT)
      console.log([...seen].map(([route, s]) => `${route}: ${[...s].sort().join(',')}`).join('\n'));
    // every route was reached at least once in a run of this size
    if (RUNS >= 300) expect(seen.size).toBeGreaterThanOrEqual(operations.length - 3);
  });
});
