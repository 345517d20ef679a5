import middy from '@middy/core';
import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { findPrincipal, touchApiKey } from '../../shared/store/api-key-store.js';
import { appContext } from '../lib/app-context.js';
import type { AuthorizerContext } from '../lib/http-handler.js';
import { observed } from '../lib/observability.js';

export const bearerKey = (header: string | undefined) => /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];

/** How often a key's lastUsedAt is written at most. */
const TOUCH_SECONDS = 60;

/**
 * Resolves the caller's API key to a principal (an unknown, revoked or
 * expired key is anonymous). It always authorizes: the handler decides
 * between 401, 403 and 404, so every refusal keeps the contract's error
 * shape. The lookup is a consistent read, and API Gateway does not cache the
 * answer (AUTHORIZER_CACHE_TTL is 0): a new key works at once; a revoked one
 * stops at once locally and within the store's KEY_CACHE_TTL_MS (2 s) in AWS.
 */
export const handler = middy<
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>
>()
  .use(observed())
  .handler(async (event) => {
    const apiKey = bearerKey(event.headers?.authorization);
    if (!apiKey || apiKey.length > 512) return { isAuthorized: true, context: { role: 'anonymous' } };
    const { table } = appContext();
    const nowMs = Date.now();
    const found = await findPrincipal(table, apiKey, new Date(nowMs).toISOString());
    if (!found) return { isAuthorized: true, context: { role: 'anonymous' } };
    if (!found.lastUsedAt || Date.parse(found.lastUsedAt) < nowMs - TOUCH_SECONDS * 1000) {
      await touchApiKey(table, apiKey, new Date(nowMs).toISOString(), TOUCH_SECONDS);
    }
    return { isAuthorized: true, context: { ...found.principal, keyId: found.keyId } };
  });
