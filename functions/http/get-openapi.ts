import { httpHandler } from '../lib/http-handler.js';
import { openApiDocument } from '../lib/openapi.js';

let document: ReturnType<typeof openApiDocument> | undefined;

export const handler = httpHandler('GET /openapi.json', {}, async () => {
  document ??= openApiDocument();
  return { statusCode: 200, body: document };
});
