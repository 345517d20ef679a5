import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { z } from 'zod';
import { type RouteKey, routeFor } from '../../infra/routes.js';
import type { Principal, Role } from '../../shared/domain/types.js';
import { keyIdSchema } from '../../shared/domain/access-schemas.js';
import { providerIdSchema, sourceIdSchema } from '../../shared/domain/schemas.js';
import { AppError } from '../../shared/lib/errors.js';
import { jsonNestingDepth, MAX_JSON_DEPTH } from '../../shared/lib/json-limits.js';
import { issueDetails } from '../../shared/lib/zod-issues.js';
import { errorMapper, jsonResponse } from './http-errors.js';
import { logger, observed } from './observability.js';

/** Larger bodies are refused before parsing; the 32 KiB payload rule is the ticket schema's. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface HttpRequest<TBody, TQuery> {
  body: TBody;
  query: TQuery;
  params: Record<string, string>;
  /** Undefined only on public routes. */
  principal: Principal;
  /** Who called, for the access audit trail (undefined only on public routes). */
  actor: Actor;
  /** API Gateway's id of this request. */
  requestId: string;
  event: APIGatewayProxyEventV2;
}

export interface HttpResult {
  statusCode: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** The body is text sent as it is (its content-type in `headers`), not JSON. */
  text?: boolean;
}

/** A CSV download (RFC 4180 text), offered under a file name. */
export const csvResult = (csv: string, fileName: string): HttpResult => ({
  statusCode: 200,
  body: csv,
  text: true,
  headers: {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${fileName}"`,
  },
});

/** What the authorizer (API Gateway's in AWS, the local runtime's locally) put in the request. */
export interface AuthorizerContext {
  role?: Role | 'anonymous';
  sourceId?: string;
  providerId?: string;
  /** The id of the API key (never the key itself). */
  keyId?: string;
}

/** The caller as the audit trail records it. */
export interface Actor {
  keyId: string | null;
  role: Role;
  ownerId: string | null;
}

type EventWithAuthorizer = APIGatewayProxyEventV2 & {
  requestContext: { authorizer?: { lambda?: AuthorizerContext } };
};

const emptyBody = z.strictObject({});

function principalOf(event: EventWithAuthorizer, roles: readonly Role[]): Principal {
  const context = event.requestContext.authorizer?.lambda;
  if (!context?.role || context.role === 'anonymous') {
    throw new AppError('unauthenticated', 'a valid API key is required: Authorization: Bearer <apiKey>');
  }
  if (!roles.includes(context.role))
    throw new AppError('forbidden', `the ${context.role} role may not do this`);
  return { role: context.role, sourceId: context.sourceId, providerId: context.providerId };
}

function actorOf(event: EventWithAuthorizer, principal: Principal | undefined): Actor {
  return {
    keyId: event.requestContext.authorizer?.lambda?.keyId ?? null,
    role: principal?.role ?? 'admin',
    ownerId: principal?.sourceId ?? principal?.providerId ?? null,
  };
}

/** What each path parameter must look like: a malformed or oversized id is a 400 before any lookup. */
const PATH_PARAMS: Record<string, z.ZodType<string>> = {
  providerId: providerIdSchema,
  sourceId: sourceIdSchema,
  // ticket ids are 32 hex digits; other well-formed strings are simply not found
  ticketId: z.string().min(1).max(128),
  keyId: keyIdSchema,
};

function checkPathParams(params: Record<string, string>): void {
  for (const [name, value] of Object.entries(params)) {
    const schema = PATH_PARAMS[name] ?? z.string().min(1).max(128);
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new AppError(
        'validation_error',
        `the path parameter ${name} is not valid`,
        issueDetails(parsed.error, [name]),
      );
    }
  }
}

function parseJson(raw: string | undefined, isBase64Encoded: boolean): unknown {
  if (raw === undefined || raw === '') return undefined;
  const text = isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
    throw new AppError('payload_too_large', `the request body is larger than ${MAX_BODY_BYTES} bytes`);
  }
  if (jsonNestingDepth(text) > MAX_JSON_DEPTH) {
    throw new AppError('validation_error', `the body is nested deeper than ${MAX_JSON_DEPTH} levels`, [
      { path: '', message: `nested deeper than ${MAX_JSON_DEPTH} levels` },
    ]);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('validation_error', 'the body is not valid JSON', [
      { path: '', message: 'invalid JSON' },
    ]);
  }
}

export function validate<T>(schema: z.ZodType<T>, value: unknown, where: 'body' | 'query'): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new AppError('validation_error', `the request ${where} is not valid`, issueDetails(parsed.error));
  }
  return parsed.data;
}

/**
 * One HTTP route as a middy chain: errors mapped last-to-first so the mapper
 * sees everything, then role check, JSON parsing and zod validation, then
 * the route's own function, which only calls a use case.
 */
export function httpHandler<TBody = undefined, TQuery = undefined>(
  routeKey: RouteKey,
  /** `body: 'json'` hands the parsed JSON to the route, which validates it itself. */
  options: { body?: z.ZodType<TBody> | 'json'; query?: z.ZodType<TQuery> },
  handle: (request: HttpRequest<TBody, TQuery>) => Promise<HttpResult>,
) {
  const definition = routeFor(routeKey);
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(observed())
    .use(errorMapper())
    .handler(async (event) => {
      logger.appendKeys({ routeKey });
      const principal =
        definition.roles === 'public'
          ? (undefined as unknown as Principal)
          : principalOf(event as EventWithAuthorizer, definition.roles);
      const params = pathParams(event);
      checkPathParams(params);
      const rawBody = parseJson(event.body, event.isBase64Encoded);
      if (!options.body && rawBody !== undefined && definition.method !== 'GET') {
        // Routes without a body still reject one, so a misplaced field surfaces.
        validate(emptyBody, rawBody, 'body');
      }
      const body =
        options.body === 'json'
          ? (rawBody as TBody)
          : options.body
            ? validate(options.body, rawBody ?? {}, 'body')
            : (undefined as TBody);
      const query = options.query
        ? validate(options.query, event.queryStringParameters ?? {}, 'query')
        : (undefined as TQuery);
      const result = await handle({
        body,
        query,
        params,
        principal,
        actor: actorOf(event as EventWithAuthorizer, principal),
        requestId: event.requestContext.requestId,
        event,
      });
      const response =
        result.body === undefined
          ? { statusCode: result.statusCode, headers: {} }
          : result.text
            ? { statusCode: result.statusCode, headers: {}, body: String(result.body) }
            : jsonResponse(result.statusCode, result.body);
      return result.headers ? { ...response, headers: { ...response.headers, ...result.headers } } : response;
    });
}

const pathParams = (event: APIGatewayProxyEventV2) =>
  Object.fromEntries(
    Object.entries(event.pathParameters ?? {}).filter(([, value]) => value !== undefined),
  ) as Record<string, string>;

/** A path parameter checked against its schema: a malformed id is a 400 that names it. */
export function pathParam<T>(request: HttpRequest<unknown, unknown>, name: string, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(request.params[name]);
  if (!parsed.success) {
    throw new AppError(
      'validation_error',
      `the path parameter ${name} is not valid`,
      issueDetails(parsed.error, [name]),
    );
  }
  return parsed.data;
}

/** The {providerId} of the path, which a provider key may only name as itself. */
export function ownProviderId(request: HttpRequest<unknown, unknown>): string {
  const providerId = request.params.providerId ?? '';
  if (request.principal.role === 'provider' && request.principal.providerId !== providerId) {
    throw new AppError('forbidden', 'a provider key reaches only its own provider');
  }
  return providerId;
}

/**
 * The source a ticket request speaks for: a source key's own, or for an admin
 * the `sourceId` field of the body (which is then taken out of it).
 */
export function sourceIdFor(
  request: HttpRequest<unknown, unknown>,
  schema: z.ZodType<string>,
): { sourceId: string; body: unknown } {
  const raw = request.body;
  if (request.principal.role === 'source') return { sourceId: request.principal.sourceId ?? '', body: raw };
  const { sourceId, ...body } = (raw && typeof raw === 'object' ? raw : {}) as { sourceId?: unknown };
  const parsed = schema.safeParse(sourceId);
  if (!parsed.success) {
    throw new AppError(
      'validation_error',
      'an admin names the source in the body',
      issueDetails(parsed.error, ['sourceId']),
    );
  }
  return { sourceId: parsed.data, body };
}

/** The ticket, caller and lease token of a lease operation. */
export function leaseCall(request: HttpRequest<{ leaseToken: string }, unknown>) {
  return {
    principal: request.principal,
    ticketId: request.params.ticketId ?? '',
    leaseToken: request.body.leaseToken,
  };
}

/** Who made this request and which request it was, for the access audit trail. */
export const accessOf = (request: HttpRequest<unknown, unknown>) => ({
  actor: request.actor,
  requestId: request.requestId,
});
