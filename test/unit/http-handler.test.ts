import {
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
  TransactionConflictException,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { httpHandler } from '../../functions/lib/http-handler.js';
import { openApiDocument } from '../../functions/lib/openapi.js';
import { ROUTES } from '../../infra/routes.js';
import { slaPolicySchema } from '../../shared/domain/schemas.js';
import { AppError, UnavailableError } from '../../shared/lib/errors.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { ADMIN, httpEvent, invoke, source } from '../fixtures/events.js';

const policy = { targets: { P1: 1, P2: 2, P3: 3, P4: 4 }, atRiskFraction: 0.5 };
const echo = httpHandler('PUT /v1/sla-policy', { body: slaPolicySchema }, async (request) => ({
  statusCode: 200,
  body: request.body,
}));

describe('the HTTP middy chain', () => {
  it('hands the validated body to the route', async () => {
    expect(await invoke(echo, 'PUT /v1/sla-policy', { principal: ADMIN, body: policy })).toStrictEqual({
      statusCode: 200,
      body: policy,
    });
  });

  it.each([
    ['no authorizer context', undefined, 401, 'unauthenticated'],
    ['an unknown key', { role: 'anonymous' as const }, 401, 'unauthenticated'],
    ['a role the route does not allow', source('crm'), 403, 'forbidden'],
  ])('answers %s with %i', async (_case, principal, statusCode, code) => {
    const response = await invoke(echo, 'PUT /v1/sla-policy', { principal, body: policy });
    expect(response).toStrictEqual({ statusCode, body: { error: { code, message: expect.any(String) } } });
  });

  it('names each invalid field, unknown ones included', async () => {
    const response = await invoke(echo, 'PUT /v1/sla-policy', {
      principal: ADMIN,
      body: { ...policy, atRiskFraction: 2, extra: true },
    });
    expect(response.statusCode).toBe(400);
    expect(response.body.error.details).toEqual(
      expect.arrayContaining([
        { path: 'atRiskFraction', message: expect.any(String) },
        { path: 'extra', message: 'unknown field' },
      ]),
    );
  });

  it('answers 400 for a body that is not JSON', async () => {
    const response = await invoke(echo, 'PUT /v1/sla-policy', { principal: ADMIN, rawBody: '{oops' });
    expect(response.body.error).toStrictEqual({
      code: 'validation_error',
      message: 'the body is not valid JSON',
      details: [{ path: '', message: 'invalid JSON' }],
    });
  });

  it('maps expected errors to their status and hides unexpected ones behind a bare 500', async () => {
    const conflict = httpHandler('GET /v1/sla-policy', {}, async () => {
      throw new AppError('conflict', 'already there');
    });
    expect(await invoke(conflict, 'GET /v1/sla-policy', { principal: ADMIN })).toStrictEqual({
      statusCode: 409,
      body: { error: { code: 'conflict', message: 'already there' } },
    });
    const bug = httpHandler('GET /v1/sla-policy', {}, async () => {
      throw new Error('secret internals: table t-123');
    });
    expect(await invoke(bug, 'GET /v1/sla-policy', { principal: ADMIN })).toStrictEqual({
      statusCode: 500,
      body: { error: { code: 'internal', message: 'internal error' } },
    });
  });

  it.each([
    ['retries that ran out', () => new UnavailableError('the database stayed busy, retry shortly', 1)],
    [
      'a raw transaction conflict',
      () => new TransactionConflictException({ message: 'ongoing', $metadata: {} }),
    ],
    [
      'a cancelled transaction with a conflict reason',
      () =>
        new TransactionCanceledException({
          message: 'cancelled',
          $metadata: {},
          CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
        }),
    ],
    [
      'a DynamoDB throttle',
      () => new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }),
    ],
  ])('answers %s with 503 unavailable and Retry-After, never 409 or 500', async (_case, error) => {
    const busy = httpHandler('GET /v1/sla-policy', {}, async () => {
      throw error();
    });
    const response = await busy(httpEvent('GET /v1/sla-policy', { principal: ADMIN }), lambdaContext('test'));
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['retry-after']).toBe('1');
    expect(JSON.parse(response.body ?? '{}').error.code).toBe('unavailable');
  });

  it('rejects a body sent to a route that takes none', async () => {
    const noBody = httpHandler('POST /v1/sources/{sourceId}/keys', {}, async () => ({
      statusCode: 201,
      body: {},
    }));
    const response = await invoke(noBody, 'POST /v1/sources/{sourceId}/keys', {
      principal: ADMIN,
      body: { surprise: 1 },
    });
    expect(response.statusCode).toBe(400);
  });
});

describe('the OpenAPI document', () => {
  const document = openApiDocument();

  it('is OpenAPI 3.1 and lists every route of the route table', () => {
    expect(document.openapi).toBe('3.1.0');
    for (const route of ROUTES) {
      expect(document.paths?.[route.path]?.[route.method.toLowerCase() as 'get']).toBeDefined();
    }
  });

  it('documents request bodies from the same zod schemas that validate them', () => {
    const put = document.paths?.['/v1/providers/{providerId}']?.put;
    const schema = JSON.stringify(put?.requestBody);
    expect(schema).toContain('ProviderInput');
    expect(JSON.stringify(document.components?.schemas?.ProviderInput)).toContain('throughputPerHour');
  });
});
