// The CloudFront Function that answers oversized API bodies at the edge, run
// as CloudFront would run its source: a `handler(event)` given viewer-request
// events (header names in lowercase, each `{ value }`).
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { httpHandler } from '../../functions/lib/http-handler.js';
import { MAX_BODY_BYTES } from '../../functions/lib/http-handler.js';
import { bodyLimitFunctionSource } from '../../infra/constructs/edge-body-limit.js';
import { slaPolicySchema } from '../../shared/domain/schemas.js';
import { ADMIN, invoke } from '../fixtures/events.js';

type EdgeHandler = (event: unknown) => unknown;
const edgeHandler = runInNewContext(`${bodyLimitFunctionSource()}\nhandler;`, {}) as EdgeHandler;

function viewerRequest(method: string, headers: Record<string, string> = {}) {
  return {
    version: '1.0',
    context: { eventType: 'viewer-request' },
    viewer: { ip: '198.51.100.11' },
    request: {
      method,
      uri: '/v1/tickets',
      querystring: {},
      headers: {
        host: { value: 'd111111abcdef8.cloudfront.net' },
        authorization: { value: 'Bearer ors_example' },
        ...Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, { value }])),
      },
      cookies: {},
    },
  };
}

/** Plain data out of the function's context (its objects have another realm's prototypes). */
const plain = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe('the edge body limit', () => {
  it('answers a declared body of 4 MiB + 1 byte with the contract 413', () => {
    const response = plain(
      edgeHandler(viewerRequest('POST', { 'content-length': String(MAX_BODY_BYTES + 1) })),
    ) as { statusCode: number; headers: unknown; body: { encoding: string; data: string } };

    expect(response).toStrictEqual({
      statusCode: 413,
      statusDescription: 'Payload Too Large',
      headers: { 'content-type': { value: 'application/json' } },
      body: { encoding: 'text', data: expect.any(String) },
    });
    expect(JSON.parse(response.body.data)).toStrictEqual({
      error: {
        code: 'payload_too_large',
        message: `the request body is larger than ${MAX_BODY_BYTES} bytes`,
      },
    });
  });

  it('answers as the functions do for a body over the limit', async () => {
    const echo = httpHandler('PUT /v1/sla-policy', { body: slaPolicySchema }, async (request) => ({
      statusCode: 200,
      body: request.body,
    }));
    const fromFunction = await invoke(echo, 'PUT /v1/sla-policy', {
      principal: ADMIN,
      rawBody: 'x'.repeat(MAX_BODY_BYTES + 1),
    });
    const atEdge = plain(
      edgeHandler(viewerRequest('PUT', { 'content-length': String(MAX_BODY_BYTES + 1) })),
    ) as { statusCode: number; body: { data: string } };

    expect({ statusCode: atEdge.statusCode, body: JSON.parse(atEdge.body.data) }).toStrictEqual(fromFunction);
  });

  it.each([
    ['a body of exactly 4 MiB', 'POST', { 'content-length': String(MAX_BODY_BYTES) }],
    ['a request without content-length (chunked)', 'POST', { 'transfer-encoding': 'chunked' }],
    ['a GET', 'GET', {}],
    ['a content-length that is not a number', 'POST', { 'content-length': 'lots' }],
  ])('passes %s through unchanged', (_case, method, headers: Record<string, string>) => {
    const event = viewerRequest(method, headers);
    const before = structuredClone(event.request);

    const result = edgeHandler(event);

    expect(result).toBe(event.request);
    expect(event.request).toStrictEqual(before);
  });
});
