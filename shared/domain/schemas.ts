// The input contract of API.md, as zod schemas. Request validation, the
// TypeScript types and the OpenAPI document all come from this one file.
import { z } from 'zod';
import { boundedNumber, MAX_DURATION_SECONDS } from './numbers.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const DATA_CLEARANCES = ['public', 'internal', 'confidential', 'restricted'] as const;
export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export const PROVIDER_STATUSES = ['active', 'paused', 'offline'] as const;
export const TICKET_STATUSES = [
  'received',
  'queued',
  'leased',
  'parked',
  'completed',
  'cancelled',
  'on_hold',
] as const;
/** Why a provider puts a ticket on hold (POST /v1/tickets/{id}/hold). */
export const HOLD_REASONS = ['awaiting_customer', 'awaiting_third_party', 'awaiting_source'] as const;
/** Effort units a ticket may take (capacity and throughput are counted in them). */
export const MAX_EFFORT = 100;
const effortSchema = z.number().int().min(1).max(MAX_EFFORT);

export const providerIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lowercase letters, digits and dashes');
export const sourceIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lowercase letters, digits and dashes');

const isValidTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const clockTime = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'HH:MM, 00:00 to 24:00');
const timeWindow = z
  .tuple([clockTime, clockTime])
  .refine(([start, end]) => start < end, 'a window starts before it ends');
const localDate = z.iso.date();
const isoInstant = z.iso.datetime({ offset: true });
/** Names that would turn into a prototype or a constructor when a skill map is kept as an object. */
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
/** zod drops a `__proto__` key from a record silently: refuse it instead of losing it. */
const withoutProtoKey = z
  .unknown()
  .refine(
    (value) => !(value && typeof value === 'object' && Object.hasOwn(value, '__proto__')),
    'a reserved name (__proto__)',
  );
const skillName = z
  .string()
  .min(1)
  .max(64)
  .refine((name) => !RESERVED_NAMES.has(name), 'a reserved name');

export const businessHoursSchema = z.strictObject(
  Object.fromEntries(WEEKDAYS.map((day) => [day, z.array(timeWindow).max(8).optional()])) as Record<
    (typeof WEEKDAYS)[number],
    z.ZodOptional<z.ZodArray<typeof timeWindow>>
  >,
);

export const providerInputSchema = z
  .strictObject({
    name: z.string().min(1).max(200).optional(),
    status: z.enum(PROVIDER_STATUSES),
    timeZone: z.string().refine(isValidTimeZone, 'an IANA time zone such as Asia/Manila'),
    country: z.string().length(2).optional(),
    sourcing: z.enum(['onshore', 'nearshore', 'offshore']).optional(),
    businessHours: businessHoursSchema.optional(),
    holidays: z.array(localDate).max(400).optional(),
    skills: withoutProtoKey.pipe(z.record(skillName, z.number().int().min(1).max(5))).meta({
      type: 'object',
      description: 'skill -> proficiency 1-5',
      additionalProperties: { type: 'integer', minimum: 1, maximum: 5 },
    }),
    languages: z.array(z.string().min(2).max(16)).max(50).optional(),
    capacity: z.number().int().min(0).max(1_000_000),
    /** At least 0.01 an hour: a slower provider would predict completions centuries away. */
    throughputPerHour: boundedNumber(0.01, 1_000_000, 4),
    costPerItem: boundedNumber(0, 1_000_000, 4).default(0),
    qualityScore: boundedNumber(0, 1, 6).default(1),
    dataClearance: z.enum(DATA_CLEARANCES),
    dataRegions: z.array(z.string().min(1).max(32)).max(50).optional(),
    allocationShare: boundedNumber(0, 1, 6).optional(),
    /** An overflow provider takes only tickets that every other eligible provider would finish late. */
    overflow: z.boolean().optional(),
    /** Whether a ticket it puts on hold keeps its capacity (effort units) while held. Default true. */
    holdKeepsCapacity: z.boolean().optional(),
  })
  .meta({ id: 'ProviderInput' });
export type ProviderInput = z.infer<typeof providerInputSchema>;

/** Only the status: operators pause and resume without re-sending (and racing) the whole configuration. */
export const providerStatusSchema = z
  .strictObject({ status: z.enum(PROVIDER_STATUSES) })
  .meta({ id: 'ProviderStatus' });

export const slaPolicySchema = z
  .strictObject({
    targets: z.strictObject({
      P1: z.number().int().positive().max(MAX_DURATION_SECONDS),
      P2: z.number().int().positive().max(MAX_DURATION_SECONDS),
      P3: z.number().int().positive().max(MAX_DURATION_SECONDS),
      P4: z.number().int().positive().max(MAX_DURATION_SECONDS),
    }),
    atRiskFraction: boundedNumber(0, 1, 6).refine((value) => value > 0 && value < 1, 'between 0 and 1'),
    /** A reopened ticket's rework is due this long after reopening (calendar seconds; default 86400). */
    reworkSeconds: z.number().int().positive().max(MAX_DURATION_SECONDS).optional(),
    /** The longest a ticket may stay on hold; then it goes back to its source as cancelled (hold_expired). */
    maxHoldSeconds: z.number().int().positive().max(MAX_DURATION_SECONDS).optional(),
    /** A ticket's effort when it gives none, per skill (else 1). */
    effortBySkill: withoutProtoKey
      .pipe(z.record(skillName, effortSchema))
      .optional()
      .meta({
        type: 'object',
        description: 'skill -> default effort units 1-100',
        additionalProperties: { type: 'integer', minimum: 1, maximum: MAX_EFFORT },
      }),
  })
  .meta({ id: 'SlaPolicy' });
export type SlaPolicy = z.infer<typeof slaPolicySchema>;

export const DEFAULT_SLA_POLICY: SlaPolicy = {
  targets: { P1: 3600, P2: 14400, P3: 86400, P4: 259200 },
  atRiskFraction: 0.8,
};

export const routingPolicySchema = z
  .strictObject({
    weights: z.strictObject({
      slack: boundedNumber(0, 1000, 6),
      cost: boundedNumber(0, 1000, 6),
      quality: boundedNumber(0, 1000, 6),
      share: boundedNumber(0, 1000, 6),
      load: boundedNumber(0, 1000, 6),
    }),
    relaxProficiencyAfterSeconds: z.number().int().positive().max(MAX_DURATION_SECONDS),
    /**
     * Safety margin: a provider is on time only if the work ahead plus this many standard deviations of
     * it (exponential service times) still ends before due, counted in the provider's open hours.
     */
    safetyMarginZ: boundedNumber(0, 10, 6).default(2),
    /**
     * Overload aging: a ticket that can no longer meet its due moves ahead of on-time work once it has
     * been late this long, so none starves.
     */
    lateAgingSeconds: z
      .number()
      .int()
      .positive()
      .max(90 * 86400)
      .default(14 * 86400),
  })
  .meta({ id: 'RoutingPolicy' });
export type RoutingPolicy = z.infer<typeof routingPolicySchema>;

export const DEFAULT_ROUTING_POLICY: RoutingPolicy = {
  weights: { slack: 0.3, cost: 0.3, quality: 0.15, share: 0.15, load: 0.1 },
  relaxProficiencyAfterSeconds: 900,
  safetyMarginZ: 2,
  lateAgingSeconds: 14 * 86400,
};

export const MAX_PAYLOAD_BYTES = 32 * 1024;

export const ticketInputSchema = z
  .strictObject({
    externalId: z.string().min(1).max(128),
    kind: z.enum(['front_office', 'back_office']),
    skill: skillName,
    priority: z.enum(PRIORITIES),
    language: z.string().min(2).max(16).optional(),
    minProficiency: z.number().int().min(1).max(5).default(1),
    dataClassification: z.enum(DATA_CLEARANCES).default('internal'),
    dataRegion: z.string().min(1).max(32).optional(),
    dueAt: isoInstant.optional(),
    subject: z.string().max(200).optional(),
    payload: z.unknown().optional(),
    /** Effort units (1-100); omitted: the SLA policy's default for the skill, else 1. */
    effort: effortSchema.optional(),
  })
  .meta({ id: 'TicketInput' });
export type TicketInput = z.infer<typeof ticketInputSchema>;

/** An admin creates tickets on behalf of a source by naming it in the body. */
export const adminTicketInputSchema = ticketInputSchema.extend({ sourceId: sourceIdSchema.optional() });

export const ticketBatchSchema = z
  .strictObject({ items: z.array(z.unknown()).min(1).max(100) })
  .meta({ id: 'TicketBatch' });

export const leaseRequestSchema = z
  .strictObject({
    max: z.number().int().min(1).max(50).default(1),
    leaseSeconds: z.number().int().min(30).max(3600).default(900),
  })
  .meta({ id: 'LeaseRequest' });

const leaseToken = z.string().min(1).max(200);
export const extendRequestSchema = z
  .strictObject({ leaseToken, leaseSeconds: z.number().int().min(30).max(3600).default(900) })
  .meta({ id: 'ExtendRequest' });
export const completeRequestSchema = z
  .strictObject({ leaseToken, resolution: z.string().max(2000).optional() })
  .meta({ id: 'CompleteRequest' });
export const releaseRequestSchema = z
  .strictObject({ leaseToken, reason: z.string().max(2000).optional() })
  .meta({ id: 'ReleaseRequest' });
export const rejectRequestSchema = z
  .strictObject({ leaseToken, reason: z.string().min(1).max(2000) })
  .meta({ id: 'RejectRequest' });
export const cancelRequestSchema = z.strictObject({ reason: z.string().max(2000).optional() });
export const holdRequestSchema = z
  .strictObject({ leaseToken, reason: z.enum(HOLD_REASONS), until: isoInstant.optional() })
  .meta({ id: 'HoldRequest' });
export const resumeRequestSchema = z
  .strictObject({ note: z.string().max(2000).optional() })
  .meta({ id: 'ResumeRequest' });
export const escalateRequestSchema = z
  .strictObject({
    leaseToken,
    skill: skillName,
    minProficiency: z.number().int().min(1).max(5).optional(),
    note: z.string().min(1).max(2000),
  })
  .meta({ id: 'EscalateRequest' });
export const transferRequestSchema = z
  .strictObject({ providerId: providerIdSchema })
  .meta({ id: 'TransferRequest' });

export const listTicketsQuerySchema = z.strictObject({
  status: z.enum(TICKET_STATUSES).optional(),
  providerId: providerIdSchema.optional(),
  sourceId: sourceIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(2000).optional(),
});

export const metricsQuerySchema = z.strictObject({
  from: isoInstant.optional(),
  to: isoInstant.optional(),
});

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: 'Error' });
