// Contract KPIs counted from the ticket stream: which counters of which provider and local month a ticket
// change moves. Pure: the stream consumer applies the increments exactly once (the same mechanism as the
// hourly metrics). A ticket counts in the period in which it completed or breached, in the time zone of
// the contract in force at that instant; its feedback and reopening count in its completion's period.
import { breachPenaltyMinor, type ContractVersion, monthOf, priceMinor } from './contracts.js';
import type { CounterIncrement } from './metric-counts.js';
import { MICRO } from './money.js';
import type { SlaTargetName, Ticket } from './types.js';

/**
 * Counters of one provider and local month (flat attribute names: DynamoDB's ADD cannot create nested maps).
 * `met`/`breached` are SLA outcomes; `completed` counts billable completions (rework is not billed again);
 * money is in minor units of the contract's currency, priced at the instant counted.
 */
export type KpiCounters = Record<string, number>;

export const kpiCounter = {
  routed: 'routed',
  completed: 'completed',
  reworkCompleted: 'reworkCompleted',
  met: 'met',
  breached: 'breached',
  leased: 'leased',
  rejected: 'rejected',
  held: 'held',
  reopened: 'reopened',
  feesMinor: 'feesMinor',
  penaltyMinor: 'penaltyMinor',
  /** QA scores in millionths, summed; and how many. */
  qaSum: 'qaSum',
  qaCount: 'qaCount',
  csatSum: 'csatSum',
  csatCount: 'csatCount',
  handleCount: 'handleCount',
} as const;

/** `met@P1`, `met@s:billing`, `met@P1@s:billing`: the SLA outcomes per priority and skill. */
export const byPriority = (counter: string, priority: string) => `${counter}@${priority}`;
export const bySkill = (counter: string, skill: string) => `${counter}@s:${skill}`;
export const byPriorityAndSkill = (counter: string, priority: string, skill: string) =>
  `${counter}@${priority}@s:${skill}`;

/** `met@t:pickup`, `met@t:pickup@p:gold`: the SLA outcomes per target, and per policy and target. */
export const byTarget = (counter: string, target: SlaTargetName, policyId?: string) =>
  policyId === undefined ? `${counter}@t:${target}` : `${counter}@t:${target}@p:${policyId}`;

/**
 * Handle time (leased → completed) is kept as a histogram, so the median is exact to its bucket: 1-minute
 * buckets below 4 h, 10-minute buckets to 24 h, 60-minute buckets to 7 days, one bucket beyond. The
 * median reported is the lower edge of the bucket that holds the middle completion.
 */
export function handleBucket(minutes: number): number {
  const m = Math.max(0, Math.floor(minutes));
  if (m < 240) return m;
  if (m < 1440) return m - (m % 10);
  if (m < 10080) return m - (m % 60);
  return 10080;
}
export const HANDLE_PREFIX = 'handle#';
export const handleCounter = (bucket: number) => `${HANDLE_PREFIX}${bucket}`;

/** Where counters live; the store's key builders (the domain makes no keys itself). */
export interface KpiKeys {
  kpi: (providerId: string, month: string) => { pk: string; sk: string };
  quality: (providerId: string, day: string) => { pk: string; sk: string };
}

/** The contract version in force for a provider at an instant (the use case preloads them). */
export type ContractAt = (providerId: string, atMs: number) => ContractVersion | undefined;

/** The feedback a ticket carries (POST /v1/tickets/{id}/feedback); see feedback.ts. */
export interface TicketFeedback {
  qaScore?: number;
  csat?: number;
  comment?: string;
  at: string;
  /** The completion it is about (a reopened and reworked ticket can be rated again). */
  completedAt: string;
}

export type KpiTicket = Ticket & { feedback?: TicketFeedback; reopened?: number };

const increment = (add: Record<string, number>) => add;

/** The counter increments a ticket change implies on the KPI items of the providers concerned. */
export function kpiIncrements(
  beforeTicket: Ticket | undefined,
  afterTicket: Ticket,
  contractAt: ContractAt,
  keys: KpiKeys,
): CounterIncrement[] {
  const before = beforeTicket as KpiTicket | undefined;
  const after = afterTicket as KpiTicket;
  const increments: CounterIncrement[] = [];
  /** Adds counters to a provider's item of the month an instant falls in, under the contract then. */
  const count = (
    providerId: string | undefined,
    atIso: string | undefined,
    add: (contract: ContractVersion) => Record<string, number>,
  ) => {
    if (!providerId || !atIso) return;
    const atMs = Date.parse(atIso);
    const contract = contractAt(providerId, atMs);
    if (!contract) return; // without a contract no KPIs apply
    const month = monthOf(atMs, contract.timeZone);
    increments.push({
      key: keys.kpi(providerId, month),
      set: { entity: 'kpi', providerId, month },
      add: add(contract),
    });
  };
  const rework = (after.reopened ?? 0) > 0;
  const { priority, skill } = after;
  const policyId = after.sla.policyId ?? 'default';
  const byTargets = (outcome: 'met' | 'breached', target: SlaTargetName) => ({
    [byTarget(outcome, target)]: 1,
    [byTarget(outcome, target, policyId)]: 1,
  });
  const sla = (outcome: 'met' | 'breached') => ({
    [outcome]: 1,
    [byPriority(outcome, priority)]: 1,
    [bySkill(outcome, skill)]: 1,
    [byPriorityAndSkill(outcome, priority, skill)]: 1,
    ...byTargets(outcome, 'resolution'),
  });

  if (after.status === 'queued' && after.providerId && after.attempts > (before?.attempts ?? 0))
    count(after.providerId, after.routedAt ?? after.updatedAt, () => increment({ [kpiCounter.routed]: 1 }));

  if (after.status === 'leased' && before?.status !== 'leased')
    count(after.providerId, after.leasedAt ?? after.updatedAt, () => increment({ [kpiCounter.leased]: 1 }));

  for (const entry of after.history) {
    if (entry.seq > (before?.seq ?? 0) && entry.event === 'rejected' && entry.providerId)
      count(entry.providerId, entry.at, () => increment({ [kpiCounter.rejected]: 1 }));
    if (entry.seq > (before?.seq ?? 0) && entry.event === 'held' && entry.providerId)
      count(entry.providerId, entry.at, () => increment({ [kpiCounter.held]: 1 }));
  }

  const completedNow = after.status === 'completed' && before?.status !== 'completed' && after.completedAt;
  if (completedNow) {
    const handleMinutes = after.leasedAt
      ? (Date.parse(after.completedAt!) - Date.parse(after.leasedAt)) / 60_000
      : undefined;
    count(after.providerId, after.completedAt, (contract) => ({
      ...(rework
        ? { [kpiCounter.reworkCompleted]: 1 }
        : {
            [kpiCounter.completed]: 1,
            [byPriority(kpiCounter.completed, priority)]: 1,
            [kpiCounter.feesMinor]: priceMinor(contract, after),
            ...(after.sla.breached ? {} : sla('met')),
          }),
      ...(handleMinutes === undefined
        ? {}
        : { [kpiCounter.handleCount]: 1, [handleCounter(handleBucket(handleMinutes))]: 1 }),
    }));
  }

  // A breach counts once, where the provider holding the ticket is measured; rework has its own clock.
  if (after.sla.breached && !before?.sla.breached && !rework) {
    const breachedAt =
      [...after.history]
        .reverse()
        .find(
          (entry) =>
            entry.event === 'sla_breached' && entry.target !== 'pickup' && entry.target !== 'firstResponse',
        )?.at ??
      after.completedAt ??
      after.updatedAt;
    count(after.providerId, breachedAt, (contract) => ({
      ...sla('breached'),
      [kpiCounter.penaltyMinor]: breachPenaltyMinor(contract, priority),
    }));
  }

  // Pickup and first response: met when first reported in time, breached once, at the provider holding it.
  if (!rework) {
    for (const target of ['pickup', 'firstResponse'] as const) {
      const [was, is] = [before?.sla.targets?.[target], after.sla.targets?.[target]];
      if (!is) continue;
      if (is.metAt && !was?.metAt && !is.breached)
        count(after.providerId, is.metAt, () => increment(byTargets('met', target)));
      if (is.breached && !was?.breached) {
        const at = [...after.history]
          .reverse()
          .find((entry) => entry.event === 'sla_breached' && entry.target === target)?.at;
        count(after.providerId, at ?? after.updatedAt, () => increment(byTargets('breached', target)));
      }
    }
  }

  // Reopened: counted against the provider that completed it, in that completion's period.
  if ((after.reopened ?? 0) > (before?.reopened ?? 0) && before?.completedAt)
    count(before.providerId, before.completedAt, () => increment({ [kpiCounter.reopened]: 1 }));

  // Feedback: the change of this completion's scores (a second rating of the same completion replaces).
  const feedback = after.feedback;
  if (feedback && feedback.at !== before?.feedback?.at && after.providerId) {
    const previous = before?.feedback?.completedAt === feedback.completedAt ? before.feedback : undefined;
    const add: Record<string, number> = {};
    if (feedback.qaScore !== undefined) {
      add[kpiCounter.qaSum] =
        micro(feedback.qaScore) - (previous?.qaScore === undefined ? 0 : micro(previous.qaScore));
      add[kpiCounter.qaCount] = previous?.qaScore === undefined ? 1 : 0;
    }
    if (feedback.csat !== undefined) {
      add[kpiCounter.csatSum] = feedback.csat - (previous?.csat ?? 0);
      add[kpiCounter.csatCount] = previous?.csat === undefined ? 1 : 0;
    }
    if (Object.keys(add).length) {
      count(after.providerId, feedback.completedAt, () => add);
      // Measured quality for routing: QA scores by the UTC day they were given.
      if (add[kpiCounter.qaSum] !== undefined)
        increments.push({
          key: keys.quality(after.providerId, feedback.at.slice(0, 10)),
          set: { entity: 'quality', providerId: after.providerId, day: feedback.at.slice(0, 10) },
          add: { [kpiCounter.qaSum]: add[kpiCounter.qaSum]!, [kpiCounter.qaCount]: add[kpiCounter.qaCount]! },
        });
    }
  }
  return increments;
}

const micro = (score: number) => Math.round(score * MICRO);

/** Counters summed (months of a quarter, or increments folded in memory). */
export function sumCounters(rows: readonly KpiCounters[]): KpiCounters {
  const total: KpiCounters = Object.create(null);
  for (const row of rows)
    for (const [name, value] of Object.entries(row)) total[name] = (total[name] ?? 0) + value;
  return total;
}
