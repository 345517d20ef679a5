import type { ProviderSnapshot } from '../domain/types.js';
import { hourOf, readHourlyCounts, sumCounts } from '../store/metric-store.js';
import { listProviders } from '../store/provider-store.js';
import type { AppContext } from './context.js';

/** How long a router trusts its snapshot; reservations are conditional, so staleness costs a retry, never a breach. */
export const SNAPSHOT_TTL_MS = 3000;

/** Every provider with its open items and its routed count over the last 24 h (for shares). */
export async function loadProviderSnapshot(ctx: AppContext): Promise<ProviderSnapshot[]> {
  const nowMs = ctx.now();
  const [fromHour, toHour] = [
    hourOf(new Date(nowMs - 23 * 3600_000).toISOString()),
    hourOf(new Date(nowMs).toISOString()),
  ];
  const providers = await listProviders(ctx.table);
  return Promise.all(
    providers.map(async (provider) => ({
      ...provider,
      routedLast24h: sumCounts(await readHourlyCounts(ctx.table, provider.providerId, fromHour, toHour))
        .routed,
    })),
  );
}

/** A per-process snapshot cache, refreshed after SNAPSHOT_TTL_MS. */
export class ProviderSnapshotCache {
  private snapshot?: { loadedAt: number; providers: Map<string, ProviderSnapshot> };

  /** The snapshot, reloaded when older than `maxAgeMs`. */
  async get(ctx: AppContext, maxAgeMs = SNAPSHOT_TTL_MS): Promise<Map<string, ProviderSnapshot>> {
    const nowMs = ctx.now();
    if (!this.snapshot || nowMs - this.snapshot.loadedAt > maxAgeMs) {
      const providers = await loadProviderSnapshot(ctx);
      this.snapshot = {
        loadedAt: nowMs,
        providers: new Map(providers.map((provider) => [provider.providerId, provider])),
      };
    }
    return this.snapshot.providers;
  }
}
