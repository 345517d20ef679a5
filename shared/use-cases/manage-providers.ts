import { CalendarCache, isOpenAt, nextOpeningAt } from '../domain/calendar.js';
import type { ProviderInput } from '../domain/schemas.js';
import type { Provider } from '../domain/types.js';
import { conflict, notFound } from '../lib/errors.js';
import {
  deleteProvider,
  getProvider,
  listProviders,
  putProvider,
  setProviderStatus,
} from '../store/provider-store.js';
import { type AppContext, isoNow } from './context.js';

const calendars = new CalendarCache();

/**
 * A provider as API.md shows it: its configuration plus openItems and
 * updatedAt; added for operators: whether it is open now, else when it next opens.
 */
export function providerView(provider: Provider, nowMs: number) {
  const { version: _version, ...view } = provider;
  const calendar = calendars.get(provider, nowMs);
  const openNow = isOpenAt(calendar, nowMs);
  const nextOpen = openNow ? null : nextOpeningAt(calendar, nowMs);
  return { ...view, openNow, nextOpenAt: nextOpen === null ? null : new Date(nextOpen).toISOString() };
}

export async function savedProvider(ctx: AppContext, providerId: string, input: ProviderInput) {
  const { provider } = await putProvider(ctx.table, providerId, input, isoNow(ctx));
  return providerView(provider, ctx.now());
}

export async function readProvider(ctx: AppContext, providerId: string) {
  const provider = await getProvider(ctx.table, providerId);
  if (!provider) throw notFound('provider');
  return providerView(provider, ctx.now());
}

export async function readProviders(ctx: AppContext) {
  const nowMs = ctx.now();
  return (await listProviders(ctx.table)).map((provider) => providerView(provider, nowMs));
}

export async function removeProvider(ctx: AppContext, providerId: string): Promise<void> {
  const outcome = await deleteProvider(ctx.table, providerId);
  if (outcome === 'not_found') throw notFound('provider');
  if (outcome === 'has_open_items')
    throw conflict('the provider still holds open items; pause it and let them drain');
}

export async function changeProviderStatus(ctx: AppContext, providerId: string, status: Provider['status']) {
  const provider = await setProviderStatus(ctx.table, providerId, status, isoNow(ctx));
  if (!provider) throw notFound('provider');
  return providerView(provider, ctx.now());
}
