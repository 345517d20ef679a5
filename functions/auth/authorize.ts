import middy from '@middy/core';
import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { findPrincipal } from '../../shared/store/api-key-store.js';
import { appContext } from '../lib/app-context.js';
import type { AuthorizerContext } from '../lib/http-handler.js';
import { observed } from '../lib/observability.js';

export const bearerKey = (header: string | undefined) => /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];

/**
 * Resolves the caller's API key to a principal. It always authorizes: the
 * handler decides between 401, 403 and 404, so every refusal keeps the
 * contract's error shape. API Gateway caches the answer per key.
 */
export const handler = middy<
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>
>()
  .use(observed())
  .handler(async (event) => {
    const apiKey = bearerKey(event.headers?.authorization);
    const principal = apiKey ? await findPrincipal(appContext().table, apiKey) : undefined;
    return { isAuthorized: true, context: principal ?? { role: 'anonymous' } };
  });
