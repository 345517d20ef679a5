import { oldestOpenHour } from '../domain/backlog-counts.js';
import { OPEN_STATUSES } from '../domain/ticket.js';
import { AppError } from '../lib/errors.js';
import { shareReport } from '../domain/shares.js';
import { hourOf, readHourlyCounts, sumCounts, sumRoutedBySkill } from '../store/metric-store.js';
import { listProviders } from '../store/provider-store.js';
import { readBacklog } from '../store/backlog-store.js';
import type { AppContext } from './context.js';

const DAY_MS = 86_400_000;
const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Per-provider figures over [from, to] (whole UTC hours). slaAttainment is
 * completed on time / (completed on time + breached): each ticket counts
 * once, as met or breached; null when there is nothing to measure yet.
 */
export async function providerMetrics(ctx: AppContext, window: { from?: string; to?: string }) {
  const to = window.to ? new Date(window.to) : new Date(ctx.now());
  const from = window.from ? new Date(window.from) : new Date(to.getTime() - DAY_MS);
  if (from > to)
    throw new AppError('validation_error', 'from is after to', [{ path: 'from', message: 'after to' }]);
  const providers = await listProviders(ctx.table);
  const counted = await Promise.all(
    providers.map((provider) =>
      readHourlyCounts(ctx.table, provider.providerId, hourOf(from.toISOString()), hourOf(to.toISOString())),
    ),
  );
  const shares = shareReport(
    providers.map((provider, i) => ({ ...provider, routedBySkill: sumRoutedBySkill(counted[i] ?? []) })),
  );
  const items = providers.map((provider, i) => {
    const rows = counted[i] ?? [];
    const share = shares.get(provider.providerId);
    const total = sumCounts(rows);
    const measured = total.completedOnTime + total.breached;
    return {
      providerId: provider.providerId,
      name: provider.name ?? null,
      status: provider.status,
      routed: total.routed,
      completed: total.completed,
      breached: total.breached,
      slaAttainment: measured ? round(total.completedOnTime / measured) : null,
      avgHandleSeconds: total.completed ? Math.round(total.handleSeconds / total.completed) : null,
      openItems: provider.openItems,
      capacity: provider.capacity,
      utilization: provider.capacity ? round(provider.openItems / provider.capacity) : 0,
      costTotal: round(total.cost, 2),
      // Holds per lease taken (issue 14's hold_rate); null before any lease in the window.
      leased: total.leased,
      held: total.held,
      holdRate: total.leased ? round(total.held / total.leased) : null,
      // Declared target, the target its skills' pools imply, and the share it got (see shareReport).
      share: share
        ? { declared: share.declared, target: round(share.target), actual: round(share.actual) }
        : null,
      hourly: rows.map(({ hour, routed = 0, completed = 0, breached = 0 }) => ({
        hour,
        routed,
        completed,
        breached,
      })),
    };
  });
  return { from: from.toISOString(), to: to.toISOString(), items };
}

/**
 * Open tickets grouped by skill and priority, from the backlog counters the
 * stream consumer keeps (O(skills × priorities) items, never the tickets).
 * `atRisk` counts what the sweeper has marked at risk, lost or breached;
 * `oldestAgeSeconds` is to the hour: from the start of the oldest creation hour
 * that still has an open ticket.
 */
export async function backlog(ctx: AppContext) {
  const nowMs = ctx.now();
  const items = (await readBacklog(ctx.table))
    .map(({ skill, priority, counters }) => {
      const oldest = oldestOpenHour(counters);
      return {
        skill,
        priority,
        ...Object.fromEntries(OPEN_STATUSES.map((status) => [status, counters[status] ?? 0])),
        oldestAgeSeconds: oldest
          ? Math.max(0, Math.round((nowMs - Date.parse(`${oldest}:00:00Z`)) / 1000))
          : 0,
        atRisk: counters.atRisk ?? 0,
        lost: counters.lost ?? 0,
      };
    })
    .filter((group) => OPEN_STATUSES.some((status) => Number(group[status as keyof typeof group]) > 0))
    .sort((a, b) => a.skill.localeCompare(b.skill) || a.priority.localeCompare(b.priority));
  return { items };
}
