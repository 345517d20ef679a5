import { OPEN_STATUSES, slaStateAt } from '../domain/ticket.js';
import type { TicketStatus } from '../domain/types.js';
import { AppError } from '../lib/errors.js';
import { shareReport } from '../domain/shares.js';
import { hourOf, readHourlyCounts, sumCounts, sumRoutedBySkill } from '../store/metric-store.js';
import { listProviders } from '../store/provider-store.js';
import { ticketsWithStatus } from '../store/ticket-store.js';
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

/** Open tickets grouped by skill and priority. */
export async function backlog(ctx: AppContext) {
  const nowMs = ctx.now();
  const groups = new Map<string, Record<string, number | string> & { oldestAgeSeconds: number }>();
  for (const ticket of await ticketsWithStatus(ctx.table, OPEN_STATUSES)) {
    const key = `${ticket.skill}\u0000${ticket.priority}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        skill: ticket.skill,
        priority: ticket.priority,
        received: 0,
        queued: 0,
        leased: 0,
        parked: 0,
        oldestAgeSeconds: 0,
        atRisk: 0,
        lost: 0,
      };
      groups.set(key, group);
    }
    group[ticket.status as TicketStatus] = Number(group[ticket.status]) + 1;
    group.oldestAgeSeconds = Math.max(
      group.oldestAgeSeconds,
      Math.round((nowMs - Date.parse(ticket.createdAt)) / 1000),
    );
    const state = slaStateAt(ticket, nowMs);
    if (state !== 'on_track') group.atRisk = Number(group.atRisk) + 1;
    // No provider can meet the due any more: operations escalate these.
    if (state === 'lost') group.lost = Number(group.lost) + 1;
  }
  const items = [...groups.values()].sort(
    (a, b) =>
      String(a.skill).localeCompare(String(b.skill)) || String(a.priority).localeCompare(String(b.priority)),
  );
  return { items };
}
