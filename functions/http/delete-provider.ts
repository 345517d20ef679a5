import { removeProvider } from '../../shared/use-cases/manage-providers.js';
import { appContext } from '../lib/app-context.js';
import { httpHandler } from '../lib/http-handler.js';

export const handler = httpHandler('DELETE /v1/providers/{providerId}', {}, async (request) => {
  await removeProvider(appContext(), request.params.providerId ?? '');
  return { statusCode: 204 };
});
