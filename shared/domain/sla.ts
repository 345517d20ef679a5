// SLA policies the way contracts write them: conditions (which tickets), a business-hours calendar (whose
// clock), and per-priority pickup / first-response / resolution targets. Pure: the clock is the calendar
// module's business time, `now` comes in.
import { z } from 'zod';
import { addBusinessSeconds, businessSecondsBetween, type CalendarHours } from './calendar.js';
import { boundedNumber } from './numbers.js';
import { businessHoursSchema, PRIORITIES, type SlaPolicy, sourceIdSchema, WEEKDAYS } from './schemas.js';
import type { Priority, SlaTargetClock, SlaTargetName, Ticket } from './types.js';

export const SLA_TARGETS = [
  'pickup',
  'firstResponse',
  'resolution',
] as const satisfies readonly SlaTargetName[];
/** The longest target: 366 days of the policy's clock. */
export const MAX_TARGET_SECONDS = 366 * 86_400;
export const DEFAULT_POLICY_ID = 'default';

export const slaPolicyIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, dashes and underscores')
  .refine((id) => id !== DEFAULT_POLICY_ID, 'the default policy is PUT /v1/sla-policy');

const isValidTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const minutesOf = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

export const slaCalendarSchema = z
  .strictObject({
    timeZone: z.string().refine(isValidTimeZone, 'an IANA time zone such as America/New_York'),
    businessHours: businessHoursSchema.optional(),
    holidays: z.array(z.iso.date()).max(1000).optional(),
  })
  .superRefine((calendar, ctx) => {
    const hours = calendar.businessHours;
    if (!hours) return;
    let open = 0;
    for (const day of WEEKDAYS) {
      const windows = [...(hours[day] ?? [])].sort((a, b) => minutesOf(a[0]) - minutesOf(b[0]));
      for (let i = 0; i < windows.length; i++) {
        const [start, end] = windows[i]!;
        open += Math.max(0, minutesOf(end) - minutesOf(start));
        if (i > 0 && minutesOf(start) < minutesOf(windows[i - 1]![1])) {
          ctx.addIssue({
            code: 'custom',
            path: ['businessHours', day],
            message: `windows overlap: ${windows[i - 1]!.join('-')} and ${start}-${end}`,
          });
        }
      }
    }
    if (open === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['businessHours'],
        message: 'a calendar with no open time at all',
      });
  });
export type SlaCalendar = z.infer<typeof slaCalendarSchema>;

const targetSeconds = z.number().int().positive().max(MAX_TARGET_SECONDS);
const priorityTargetsSchema = z.strictObject({
  pickupSeconds: targetSeconds.optional(),
  firstResponseSeconds: targetSeconds.optional(),
  resolutionSeconds: targetSeconds.optional(),
});
export type PriorityTargets = z.infer<typeof priorityTargetsSchema>;

const matchValues = <T extends z.ZodType>(value: T) => z.array(value).min(1).max(100).optional();

export const slaPolicyDefinitionSchema = z
  .strictObject({
    order: z.number().int().min(0).max(1_000_000).default(100),
    match: z
      .strictObject({
        sourceId: matchValues(sourceIdSchema),
        kind: matchValues(z.enum(['front_office', 'back_office'])),
        skill: matchValues(z.string().min(1).max(64)),
        priority: matchValues(z.enum(PRIORITIES)),
      })
      .default({}),
    calendar: slaCalendarSchema.optional(),
    targets: z.strictObject(
      Object.fromEntries(
        PRIORITIES.map((priority) => [priority, priorityTargetsSchema.optional()]),
      ) as Record<Priority, z.ZodOptional<typeof priorityTargetsSchema>>,
    ),
    atRiskFraction: boundedNumber(0, 1, 6)
      .refine((value) => value > 0 && value < 1, 'between 0 and 1')
      .default(0.8),
    /** The longest a ticket may stay on hold; then it goes back to its source as cancelled (hold_expired). */
    maxHoldSeconds: targetSeconds.optional(),
    /** A reopened ticket's rework is due this long after reopening (calendar seconds; default 86400). */
    reworkSeconds: targetSeconds.optional(),
  })
  .meta({ id: 'SlaPolicyDefinition' });
export type SlaPolicyDefinition = z.infer<typeof slaPolicyDefinitionSchema>;

/** A policy as stored and listed. */
export interface StoredSlaPolicy extends SlaPolicyDefinition {
  policyId: string;
  updatedAt: string;
}

export const slaMetricsQuerySchema = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  policyId: z.string().min(1).max(64).optional(),
});

/** Matching order: lowest `order`, then `policyId`. */
export const inMatchingOrder = (policies: readonly StoredSlaPolicy[]): StoredSlaPolicy[] =>
  [...policies].sort((a, b) => a.order - b.order || (a.policyId < b.policyId ? -1 : 1));

export interface SlaSubject {
  sourceId: string;
  kind: string;
  skill: string;
  priority: Priority;
}

/**
 * The first policy (in matching order) whose every given `match` field contains the ticket's value and
 * that has targets for its priority; undefined: the default policy.
 */
export function matchPolicy(
  policies: readonly StoredSlaPolicy[],
  ticket: SlaSubject,
): StoredSlaPolicy | undefined {
  return inMatchingOrder(policies).find((policy) => {
    const { sourceId, kind, skill, priority } = policy.match;
    if (sourceId && !sourceId.includes(ticket.sourceId)) return false;
    if (kind && !kind.includes(ticket.kind as 'front_office')) return false;
    if (skill && !skill.includes(ticket.skill)) return false;
    if (priority && !priority.includes(ticket.priority)) return false;
    // A priority the policy has no targets for falls through to the next policy.
    return policy.targets[ticket.priority] !== undefined;
  });
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * One target's clock: due after `seconds` of the policy's clock from `startMs`, at risk once
 * `atRiskFraction` of them have run. Kept in business seconds so a hold (issue 14) can move `dueAt` and
 * `atRiskAt` later by exactly the business time it paused: recompute both as `seconds` (+ paused seconds)
 * from the start, with the same calendar.
 */
export function targetClock(
  calendar: CalendarHours | undefined,
  startMs: number,
  seconds: number,
  atRiskFraction: number,
): SlaTargetClock {
  const dueMs = addBusinessSeconds(calendar, startMs, seconds) ?? startMs + seconds * 1000;
  const atRiskMs = addBusinessSeconds(calendar, startMs, Math.floor(seconds * atRiskFraction)) ?? dueMs;
  return { dueAt: iso(dueMs), atRiskAt: iso(atRiskMs), seconds, breached: false };
}

/** A due given by the ticket itself: its length in the policy's clock, at risk by the same fraction. */
function givenDueClock(
  calendar: CalendarHours | undefined,
  startMs: number,
  dueMs: number,
  atRiskFraction: number,
): SlaTargetClock {
  const seconds = Math.max(0, Math.round(businessSecondsBetween(calendar, startMs, dueMs)));
  const atRiskMs = Math.min(
    dueMs,
    addBusinessSeconds(calendar, startMs, Math.floor(seconds * atRiskFraction)) ?? dueMs,
  );
  return { dueAt: iso(dueMs), atRiskAt: iso(Math.max(startMs, atRiskMs)), seconds, breached: false };
}

/** The SLA a ticket gets: its policy, its targets' clocks, and the resolution due (top-level dueAt). */
export interface TicketSla {
  dueAt: string;
  sla: Ticket['sla'];
}

export function ticketSla(args: {
  subject: SlaSubject;
  /** The instant the clocks start: the ticket's createdAt. */
  createdAt: string;
  /** The ticket's own dueAt: it overrides the resolution target. */
  givenDueAt?: string;
  defaultPolicy: SlaPolicy;
  policies: readonly StoredSlaPolicy[];
}): TicketSla {
  const { subject, createdAt, givenDueAt, defaultPolicy, policies } = args;
  const startMs = Date.parse(createdAt);
  const policy = matchPolicy(policies, subject);
  const atRiskFraction = policy?.atRiskFraction ?? defaultPolicy.atRiskFraction;
  const calendar = policy?.calendar;
  const targets: Partial<Record<SlaTargetName, SlaTargetClock>> = {};
  const declared = policy?.targets[subject.priority];
  if (declared?.pickupSeconds)
    targets.pickup = targetClock(calendar, startMs, declared.pickupSeconds, atRiskFraction);
  if (declared?.firstResponseSeconds)
    targets.firstResponse = targetClock(calendar, startMs, declared.firstResponseSeconds, atRiskFraction);
  // Resolution: the ticket's own due, else the policy's target, else the default policy's (calendar time).
  const resolutionCalendar = declared?.resolutionSeconds ? calendar : undefined;
  const resolution = givenDueAt
    ? givenDueClock(resolutionCalendar, startMs, Date.parse(givenDueAt), atRiskFraction)
    : targetClock(
        resolutionCalendar,
        startMs,
        declared?.resolutionSeconds ?? defaultPolicy.targets[subject.priority],
        atRiskFraction,
      );
  targets.resolution = resolution;
  return {
    dueAt: resolution.dueAt,
    sla: {
      state: 'on_track',
      breached: false,
      atRiskAt: resolution.atRiskAt,
      policyId: policy?.policyId ?? DEFAULT_POLICY_ID,
      ...(calendar ? { calendar } : {}),
      ...(resolutionCalendar !== calendar ? { resolutionInCalendarTime: true } : {}),
      ...(givenDueAt ? { dueGiven: true } : {}),
      pausedSeconds: 0,
      targets,
    },
  };
}

/** The calendar a target's clock counts in (undefined: calendar time). */
export const clockOf = (sla: Ticket['sla'], target: SlaTargetName): CalendarHours | undefined =>
  target === 'resolution' && sla.resolutionInCalendarTime ? undefined : sla.calendar;

/** A target met at `nowMs`: when, how long it took in its clock, and whether that was late. */
export function meetTarget(ticket: Ticket, target: SlaTargetName, nowMs: number): Ticket['sla'] {
  const clockTarget = ticket.sla.targets?.[target];
  if (!clockTarget || clockTarget.metAt) return ticket.sla;
  const elapsed = businessSecondsBetween(clockOf(ticket.sla, target), Date.parse(ticket.createdAt), nowMs);
  const met: SlaTargetClock = {
    ...clockTarget,
    metAt: iso(nowMs),
    elapsedSeconds: Math.max(0, Math.round(elapsed - (clockTarget.pausedSeconds ?? 0))),
    breached: clockTarget.breached || nowMs > Date.parse(clockTarget.dueAt),
  };
  return { ...ticket.sla, targets: { ...ticket.sla.targets, [target]: met } };
}

/** Business seconds of a hold from `sinceMs` to `untilMs` in a clock (calendar seconds without one). */
export const pausedSecondsIn = (clock: CalendarHours | undefined, sinceMs: number, untilMs: number): number =>
  Math.max(0, Math.round(businessSecondsBetween(clock, sinceMs, untilMs)));

/** An instant moved later by `seconds` of a clock (a target's due after a hold). */
const laterBy = (clock: CalendarHours | undefined, atIso: string, seconds: number): string => {
  const atMs = Date.parse(atIso);
  if (seconds <= 0) return atIso;
  return iso(addBusinessSeconds(clock, atMs, seconds) ?? atMs + seconds * 1000);
};

/**
 * A hold from `sinceMs` to `untilMs` paused every running target (issue 14): each one's due and at-risk
 * instants move later by the time the hold lasted in the target's own clock (business seconds with a
 * calendar: a hold over a weekend moves nothing), and its paused seconds grow, so its time to meet
 * excludes them. A target already met stays as it is; one already breached keeps its due (the breach
 * was announced) but counts the pause.
 */
export function pausedSla(ticket: Ticket, sinceMs: number, untilMs: number): TicketSla {
  const { sla } = ticket;
  const pausedSeconds = (sla.pausedSeconds ?? 0) + pausedSecondsIn(sla.calendar, sinceMs, untilMs);
  if (!sla.targets) {
    // Stored before targets: the resolution clock in calendar time.
    const seconds = pausedSecondsIn(undefined, sinceMs, untilMs);
    if (sla.breached) return { dueAt: ticket.dueAt, sla: { ...sla, pausedSeconds } };
    return {
      dueAt: laterBy(undefined, ticket.dueAt, seconds),
      sla: { ...sla, atRiskAt: laterBy(undefined, sla.atRiskAt, seconds), pausedSeconds },
    };
  }
  const targets = { ...sla.targets };
  for (const [name, target] of runningTargets(ticket)) {
    const clock = clockOf(sla, name);
    const paused = pausedSecondsIn(clock, sinceMs, untilMs);
    targets[name] = {
      ...target,
      ...(target.breached
        ? {}
        : { dueAt: laterBy(clock, target.dueAt, paused), atRiskAt: laterBy(clock, target.atRiskAt, paused) }),
      pausedSeconds: (target.pausedSeconds ?? 0) + paused,
    };
  }
  const resolution = targets.resolution;
  return {
    dueAt: resolution?.dueAt ?? ticket.dueAt,
    sla: { ...sla, atRiskAt: resolution?.atRiskAt ?? sla.atRiskAt, pausedSeconds, targets },
  };
}

/** The targets still running at `nowMs` (not met): those a timer must watch. */
export const runningTargets = (ticket: Ticket): [SlaTargetName, SlaTargetClock][] =>
  SLA_TARGETS.flatMap((name) => {
    const target = ticket.sla.targets?.[name];
    return target && !target.metAt ? [[name, target] as [SlaTargetName, SlaTargetClock]] : [];
  });

/**
 * New targets after a change of priority: recomputed from createdAt under `next` (the policy that now
 * matches); what was already met stays met (judged against the new due), a breach already announced
 * stays announced while the new due is still past.
 */
export function reprioritizedSla(ticket: Ticket, next: TicketSla, nowMs: number): TicketSla {
  const previous = ticket.sla.targets ?? {};
  const targets: Partial<Record<SlaTargetName, SlaTargetClock>> = {};
  for (const name of SLA_TARGETS) {
    let fresh = next.sla.targets?.[name];
    if (!fresh) continue;
    const old = previous[name];
    const dueMs = Date.parse(fresh.dueAt);
    if (old?.metAt) {
      targets[name] = {
        ...fresh,
        metAt: old.metAt,
        elapsedSeconds: old.elapsedSeconds,
        breached: Date.parse(old.metAt) > dueMs,
      };
    } else {
      // Holds already taken pause the new target too: its due moves later by the same paused time.
      const paused = old?.pausedSeconds ?? 0;
      if (paused > 0) {
        const clock = clockOf(next.sla, name);
        fresh = {
          ...fresh,
          dueAt: laterBy(clock, fresh.dueAt, paused),
          atRiskAt: laterBy(clock, fresh.atRiskAt, paused),
          pausedSeconds: paused,
        };
      }
      const stillLate = nowMs > Date.parse(fresh.dueAt);
      targets[name] = {
        ...fresh,
        breached: !!old?.breached && stillLate,
        ...(old?.atRisk && nowMs >= Date.parse(fresh.atRiskAt) ? { atRisk: true } : {}),
      };
    }
  }
  const resolution = targets.resolution!;
  const state = resolution.breached
    ? 'breached'
    : ticket.sla.state === 'lost'
      ? 'lost'
      : resolution.atRisk
        ? 'at_risk'
        : 'on_track';
  return {
    dueAt: resolution.dueAt,
    sla: {
      ...next.sla,
      atRiskAt: resolution.atRiskAt,
      pausedSeconds: ticket.sla.pausedSeconds ?? 0,
      state,
      breached: resolution.breached,
      targets,
    },
  };
}

export interface SlaMetricRow {
  policyId: string;
  priority: Priority;
  target: SlaTargetName;
  tickets: number;
  met: number;
  breached: number;
  attainment: number | null;
  p50Seconds: number | null;
  p90Seconds: number | null;
  /** Still running and past their at-risk instant (not yet breached): what operations should look at now. */
  atRisk: number;
}

/** Nearest-rank percentile of sorted values. */
const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]! : null;

/**
 * Attainment per policy, priority and target over the given tickets: a target counts once it has an
 * outcome (met, or breached while running); met = met by its due; p50/p90 = time to meet, in the policy's
 * clock (business seconds), over the met ones.
 */
export function slaMetrics(tickets: readonly Ticket[], nowMs: number, policyId?: string): SlaMetricRow[] {
  const rows = new Map<string, SlaMetricRow & { elapsed: number[] }>();
  for (const ticket of tickets) {
    const id = ticket.sla.policyId ?? DEFAULT_POLICY_ID;
    if (policyId && id !== policyId) continue;
    const targets = ticket.sla.targets ?? {
      resolution: {
        dueAt: ticket.dueAt,
        atRiskAt: ticket.sla.atRiskAt,
        seconds: 0,
        breached: ticket.sla.breached,
        ...(ticket.completedAt ? { metAt: ticket.completedAt } : {}),
      },
    };
    for (const name of SLA_TARGETS) {
      const target = targets[name];
      if (!target) continue;
      const key = `${id}\u0000${ticket.priority}\u0000${name}`;
      let row = rows.get(key);
      if (!row) {
        row = {
          policyId: id,
          priority: ticket.priority,
          target: name,
          tickets: 0,
          met: 0,
          breached: 0,
          attainment: null,
          p50Seconds: null,
          p90Seconds: null,
          atRisk: 0,
          elapsed: [],
        };
        rows.set(key, row);
      }
      const closed = ticket.status === 'completed' || ticket.status === 'cancelled';
      // On hold the clock stands at the hold's start: a due passed while held is not a breach.
      const atMs =
        ticket.status === 'on_hold' && ticket.hold ? Math.min(nowMs, Date.parse(ticket.hold.since)) : nowMs;
      const breached = target.breached || (!target.metAt && atMs > Date.parse(target.dueAt));
      if (!target.metAt && !breached) {
        if (!closed && atMs >= Date.parse(target.atRiskAt)) row.atRisk++;
        continue;
      }
      row.tickets++;
      if (breached) row.breached++;
      else row.met++;
      if (target.metAt && target.elapsedSeconds !== undefined) row.elapsed.push(target.elapsedSeconds);
    }
  }
  return [...rows.values()]
    .map(({ elapsed, ...row }) => {
      const sorted = elapsed.sort((a, b) => a - b);
      return {
        ...row,
        attainment: row.tickets ? Math.round((row.met / row.tickets) * 1000) / 1000 : null,
        p50Seconds: percentile(sorted, 0.5),
        p90Seconds: percentile(sorted, 0.9),
      };
    })
    .sort(
      (a, b) =>
        a.policyId.localeCompare(b.policyId) ||
        a.priority.localeCompare(b.priority) ||
        SLA_TARGETS.indexOf(a.target) - SLA_TARGETS.indexOf(b.target),
    );
}

export const respondRequestSchema = z
  .strictObject({ leaseToken: z.string().min(1).max(200) })
  .meta({ id: 'RespondRequest' });
export const reprioritizeRequestSchema = z
  .strictObject({ priority: z.enum(PRIORITIES) })
  .meta({ id: 'ReprioritizeRequest' });
