// The client's types are generated from the document GET /openapi.json serves,
// never written by hand: this fails when the committed file is stale
// (fix: `npm run generate:client`).
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { GENERATED_FILE, generateClientTypes } from '../../clients/typescript/scripts/generate.js';
import { handler } from '../../functions/http/get-openapi.js';

async function servedDocument(): Promise<Record<string, unknown>> {
  const event = {
    version: '2.0',
    routeKey: 'GET /openapi.json',
    rawPath: '/openapi.json',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: { requestId: 'client-types', http: { method: 'GET', path: '/openapi.json' } },
  } as unknown as APIGatewayProxyEventV2;
  const response = await handler(event, { functionName: 'get-openapi' } as Context);
  expect(response.statusCode).toBe(200);
  return JSON.parse(response.body ?? '{}');
}

describe('@outroute/client types', () => {
  it('match the served OpenAPI document', async () => {
    const expected = await generateClientTypes(await servedDocument());
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(expected);
  });
});
