import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ROUTES } from '../../infra/routes.js';
import { errorSchema } from '../../shared/domain/schemas.js';

const ERROR_STATUSES = {
  400: 'validation_error',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  429: 'throttled',
};

/** The OpenAPI 3.1 document, generated from the route table and the zod schemas that validate requests. */
export function openApiDocument() {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'apiKey', { type: 'http', scheme: 'bearer' });
  for (const route of ROUTES) {
    const definition: Parameters<typeof registry.registerPath>[0] = {
      method: route.method.toLowerCase() as 'get',
      path: route.path,
      summary: route.summary,
      security: route.roles === 'public' ? [] : [{ [bearer.name]: [] }],
      description: route.roles === 'public' ? 'No authentication.' : `Roles: ${route.roles.join(', ')}.`,
      request: {
        params: pathParamsSchema(route.path),
        ...('query' in route && route.query ? { query: route.query as z.ZodObject } : {}),
        ...('body' in route && route.body
          ? { body: { content: { 'application/json': { schema: route.body } }, required: true } }
          : {}),
      },
      responses: {
        200: { description: 'OK', content: { 'application/json': { schema: z.unknown() } } },
        ...Object.fromEntries(
          Object.entries(ERROR_STATUSES).map(([status, code]) => [
            status,
            { description: code, content: { 'application/json': { schema: errorSchema } } },
          ]),
        ),
      },
    };
    registry.registerPath(definition);
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Outroute',
      version: '1.0.0',
      description: 'Routing of outsourced work across providers.',
    },
  });
}

function pathParamsSchema(path: string) {
  const names = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);
  return names.length ? z.object(Object.fromEntries(names.map((name) => [name, z.string()]))) : undefined;
}
