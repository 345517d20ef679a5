import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AppError, type ErrorCode, ThrottledError, UnavailableError } from '../../shared/lib/errors.js';
import { classifyDynamoError } from '../../shared/store/dynamo-client.js';
import { logger } from './observability.js';

export const STATUS_OF: Record<ErrorCode, number> = {
  validation_error: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  throttled: 429,
  unavailable: 503,
};

export function jsonResponse(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

export function errorResponse(error: AppError): APIGatewayProxyStructuredResultV2 {
  const response = jsonResponse(STATUS_OF[error.code], {
    error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
  });
  if (error instanceof ThrottledError || error instanceof UnavailableError) {
    response.headers = {
      ...response.headers,
      'retry-after': String(Math.max(1, Math.ceil(error.retryAfterSeconds))),
    };
  }
  return response;
}

/**
 * Turns every error into the contract's error shape. Expected errors keep
 * their message; anything else is logged and answered with a bare 500 that
 * tells the client nothing about the internals.
 */
export function errorMapper(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    name: 'errorMapper',
    onError: (request) => {
      const { error } = request;
      if (error instanceof AppError) {
        request.response = errorResponse(error);
        return;
      }
      const kind = classifyDynamoError(error);
      if (kind === 'conflict' || kind === 'throttle') {
        // Normally already retried and wrapped by the client; a raw one still means "busy, retry".
        request.response = errorResponse(new UnavailableError('the database is busy, retry shortly', 1));
        return;
      }
      logger.error('unhandled error', { routeKey: request.event.routeKey, error: error as Error });
      request.response = jsonResponse(500, { error: { code: 'internal', message: 'internal error' } });
    },
  };
}
