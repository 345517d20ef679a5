// The 413 for bodies too large, answered at the CloudFront edge. The HTTP API
// takes bodies up to 10 MB, but Lambda's synchronous payload limit is 6 MB: a
// body in between never reaches the function and gets a gateway error, not the
// contract's 413 (HTTP APIs cannot have WAF). A CloudFront Function on the API
// behaviors answers any request whose content-length exceeds the functions'
// own limit with the very response the functions build for it.
//
// What the CloudFront docs say this relies on (Developer Guide):
// - "Restrictions on edge functions", read-only headers in viewer request
//   events: Content-Length is one; "your function can read them and use them
//   as input to the function logic". Header names arrive in lowercase
//   ("CloudFront Functions event structure", request object: headers).
// - "Determine function purpose": in a viewer request event a function can
//   generate a response, which CloudFront returns to the viewer at once,
//   without the cache or the origin.
// - "CloudFront Functions event structure", response object: `statusCode`
//   (an integer), `statusDescription`, `headers` (`{ name: { value } }`) and
//   `body` as `{ encoding: 'text' | 'base64', data }`.
// - "Restrictions on CloudFront Functions": a function cannot read the request
//   body, so a body sent without content-length (chunked) passes through.
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { FunctionCode, FunctionRuntime, Function as EdgeFunction } from 'aws-cdk-lib/aws-cloudfront';
import type { Construct } from 'constructs';
import { errorResponse } from '../../functions/lib/http-errors.js';
import { MAX_BODY_BYTES } from '../../functions/lib/http-handler.js';
import { AppError } from '../../shared/lib/errors.js';

/** The functions' own answer to a body over MAX_BODY_BYTES (functions/lib/http-handler.ts). */
export const payloadTooLarge = (): APIGatewayProxyStructuredResultV2 =>
  errorResponse(new AppError('payload_too_large', `the request body is larger than ${MAX_BODY_BYTES} bytes`));

/** The CloudFront Function's source (cloudfront-js-2.0), generated from the functions' limit and answer. */
export function bodyLimitFunctionSource(): string {
  const { statusCode, headers, body } = payloadTooLarge();
  const edgeHeaders = Object.fromEntries(
    Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), { value: String(value) }]),
  );
  const response = {
    statusCode,
    statusDescription: 'Payload Too Large',
    headers: edgeHeaders,
    body: { encoding: 'text', data: body ?? '' },
  };
  return [
    'function handler(event) {',
    '  var request = event.request;',
    "  var length = request.headers['content-length'];",
    `  if (length && Number(length.value) > ${MAX_BODY_BYTES}) return ${JSON.stringify(response)};`,
    '  return request;',
    '}',
    '',
  ].join('\n');
}

/** The viewer-request function for the API behaviors. */
export function bodyLimitFunction(scope: Construct, id: string): EdgeFunction {
  return new EdgeFunction(scope, id, {
    code: FunctionCode.fromInline(bodyLimitFunctionSource()),
    runtime: FunctionRuntime.JS_2_0,
    comment: `413 payload_too_large for API requests with content-length over ${MAX_BODY_BYTES} bytes`,
  });
}
