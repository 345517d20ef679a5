// Serves the HTTP API the way API Gateway (HTTP API, payload 2.0) does:
// each request becomes a v2 event for the same handler Lambda would run.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { ROUTES, type RouteDefinition, routeKeyOf } from '../routes.js';
import { invoked } from './invocations.js';
import { lambdaContext } from './lambda-context.js';
import { loadHandler } from './load-handler.js';

/** API Gateway's own payload limit. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

export interface StaticSite {
  /** Answers a GET outside the API, or returns false to let it 404. */
  serve(path: string, response: ServerResponse): Promise<boolean>;
}

interface CompiledRoute {
  definition: RouteDefinition;
  pattern: RegExp;
  names: string[];
}

const compiled: CompiledRoute[] = ROUTES.map((definition) => {
  const names: string[] = [];
  const source = definition.path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { definition, pattern: new RegExp(`^${source}$`), names };
});

function matchRoute(method: string, path: string) {
  for (const route of compiled) {
    if (route.definition.method !== method) continue;
    const match = route.pattern.exec(path);
    if (match) {
      const params: Record<string, string> = {};
      for (const [index, name] of route.names.entries()) {
        const raw = match[index + 1] ?? '';
        try {
          params[name] = decodeURIComponent(raw);
        } catch {
          // A malformed %-escape: the handler's path check answers 400 on the raw segment.
          params[name] = raw;
        }
      }
      return { route: route.definition, params };
    }
  }
  return undefined;
}

function send(response: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  response.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
  response.end(result.body ?? '');
}

const contractError = (
  statusCode: number,
  code: string,
  message: string,
): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ error: { code, message } }),
});

async function readBody(request: IncomingMessage): Promise<Buffer | 'too_large'> {
  // Refused before reading when the client says how much it sends (as the edge does), else while reading.
  if (Number(request.headers['content-length'] ?? 0) > MAX_REQUEST_BYTES) {
    request.resume();
    return 'too_large';
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return 'too_large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function toEvent(
  request: IncomingMessage,
  url: URL,
  route: RouteDefinition,
  params: Record<string, string>,
  body: Buffer,
) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  const now = Date.now();
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: routeKeyOf(route),
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: Object.keys(params).length ? params : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: route.method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: routeKeyOf(route),
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
    },
    body: body.length ? body.toString('utf8') : undefined,
    isBase64Encoded: false,
  };
  return event;
}

/** Runs the authorizer as API Gateway would before a protected route. */
async function authorize(event: APIGatewayProxyEventV2) {
  const authorizer = await loadHandler<
    APIGatewayRequestAuthorizerEventV2,
    APIGatewaySimpleAuthorizerWithContextResult<Record<string, unknown>>
  >('auth/authorize');
  const result = await invoked('auth/authorize', 1, () =>
    authorizer(
      {
        version: '2.0',
        type: 'REQUEST',
        routeArn: `arn:aws:execute-api:us-east-1:000000000000:local/$default/${event.routeKey.replace(' ', '')}`,
        identitySource: [event.headers.authorization ?? ''],
        routeKey: event.routeKey,
        rawPath: event.rawPath,
        rawQueryString: event.rawQueryString,
        headers: event.headers,
        requestContext: event.requestContext,
        pathParameters: event.pathParameters,
        queryStringParameters: event.queryStringParameters,
        stageVariables: {},
        cookies: [],
      } as APIGatewayRequestAuthorizerEventV2,
      lambdaContext('authorize'),
    ),
  );
  return result.isAuthorized ? result.context : undefined;
}

export async function handleRequest(request: IncomingMessage, response: ServerResponse, site?: StaticSite) {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const matched = matchRoute(request.method ?? 'GET', url.pathname);
  if (!matched) {
    if (request.method === 'GET' && site && (await site.serve(url.pathname, response))) return;
    return send(response, contractError(404, 'not_found', `no route ${request.method} ${url.pathname}`));
  }
  const body = await readBody(request);
  if (body === 'too_large')
    return send(response, contractError(413, 'payload_too_large', 'request body too large'));
  const event = toEvent(request, url, matched.route, matched.params, body);
  if (matched.route.roles !== 'public') {
    const context = await authorize(event);
    if (!context) return send(response, contractError(403, 'forbidden', 'not authorized'));
    (event.requestContext as unknown as { authorizer: unknown }).authorizer = { lambda: context };
  }
  const handler = await loadHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(
    matched.route.entry,
  );
  const entry = matched.route.entry;
  send(response, await invoked(entry, 1, () => handler(event, lambdaContext(entry.replace('/', '-')))));
}

export function startHttpServer(port: number, site?: StaticSite): Promise<Server> {
  const server = createServer((request, response) => {
    handleRequest(request, response, site).catch((error: unknown) => {
      // A crash here is the runtime's own bug; answer like API Gateway's 500.
      console.error('local HTTP adapter error', error);
      if (!response.headersSent) send(response, contractError(500, 'internal', 'internal error'));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
