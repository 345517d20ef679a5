import type { ProviderInput } from '../domain/schemas.js';
import type { Provider } from '../domain/types.js';
import { conflict, notFound } from '../lib/errors.js';
import { deleteProvider, getProvider, listProviders, putProvider } from '../store/provider-store.js';
import { type AppContext, isoNow } from './context.js';

/** A provider as API.md shows it: its configuration plus openItems and updatedAt. */
export function providerView(provider: Provider) {
  const { version: _version, ...view } = provider;
  return view;
}

export async function savedProvider(ctx: AppContext, providerId: string, input: ProviderInput) {
  const { provider } = await putProvider(ctx.table, providerId, input, isoNow(ctx));
  return providerView(provider);
}

export async function readProvider(ctx: AppContext, providerId: string) {
  const provider = await getProvider(ctx.table, providerId);
  if (!provider) throw notFound('provider');
  return providerView(provider);
}

export async function readProviders(ctx: AppContext) {
  return (await listProviders(ctx.table)).map(providerView);
}

export async function removeProvider(ctx: AppContext, providerId: string): Promise<void> {
  const outcome = await deleteProvider(ctx.table, providerId);
  if (outcome === 'not_found') throw notFound('provider');
  if (outcome === 'has_open_items') throw conflict('the provider still holds open items; pause it and let them drain');
}
