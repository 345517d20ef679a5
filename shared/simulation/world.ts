// The simulated world: tickets and providers as the production rules see them, kept up to date by the engine.
import type { CalendarCache } from '../domain/calendar.js';
import type { RoutingPolicy } from '../domain/schemas.js';
import type { ProviderSnapshot, RoutableTicket } from '../domain/types.js';
import type { QueuedWork } from '../domain/work-order.js';
import type { SimProviderConfig } from './types.js';

export type SimStatus = 'waiting' | 'queued' | 'working' | 'done';

/** A ticket in the simulation: routable by the production decision, orderable by the production work order. */
export interface SimTicket extends RoutableTicket, QueuedWork {
  index: number;
  /** Work in units of one mean item (Exp(1) draw, or the trace's minutes at a 1-per-hour provider). */
  workUnits: number;
  /** Fixed handling minutes from the trace, whatever the provider. */
  workMinutes?: number;
  status: SimStatus;
  providerId?: string;
  parked: boolean;
  lastTriedMs: number;
  completedMs?: number;
  costMinor?: number;
  lost: boolean;
}

export interface SimProvider {
  config: SimProviderConfig;
  /** What routing sees; `queue` holds this provider's SimTickets not yet started. */
  snapshot: ProviderSnapshot & { queue: SimTicket[] };
  working?: SimTicket;
  /** An opening event is already scheduled. */
  waitingForOpening: boolean;
  /** Routings of the last 24 h, oldest first, for shares (per skill and in all). */
  recentRoutings: { atMs: number; skill: string }[];
  routedTotal: number;
  /** Routings over the whole run per skill (realised shares are judged within each skill's pool). */
  routedBySkillTotal: Map<string, number>;
}

export interface World {
  providers: SimProvider[];
  byId: Map<string, SimProvider>;
  calendars: CalendarCache;
  routingPolicy: RoutingPolicy;
}

export const snapshots = (world: World): ProviderSnapshot[] => world.providers.map((p) => p.snapshot);

const DAY_MS = 86_400_000;

/** Rolls each provider's 24 h routing window forward to `nowMs`. */
export function rollShareWindows(world: World, nowMs: number): void {
  for (const provider of world.providers) {
    const recent = provider.recentRoutings;
    let drop = 0;
    while (drop < recent.length && recent[drop]!.atMs <= nowMs - DAY_MS) {
      const { skill } = recent[drop]!;
      const bySkill = provider.snapshot.routedBySkill as Record<string, number>;
      bySkill[skill] = (bySkill[skill] ?? 1) - 1;
      drop++;
    }
    if (drop > 0) {
      recent.splice(0, drop);
      provider.snapshot.routedLast24h = recent.length;
    }
  }
}

export function recordRouting(provider: SimProvider, skill: string, nowMs: number): void {
  provider.recentRoutings.push({ atMs: nowMs, skill });
  provider.snapshot.routedLast24h = provider.recentRoutings.length;
  const bySkill = provider.snapshot.routedBySkill as Record<string, number>;
  bySkill[skill] = (bySkill[skill] ?? 0) + 1;
  provider.routedTotal++;
  provider.routedBySkillTotal.set(skill, (provider.routedBySkillTotal.get(skill) ?? 0) + 1);
}
