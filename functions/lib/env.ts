import { z } from 'zod';

const envSchema = z.object({
  TABLE_NAME: z.string().min(1),
  ROUTING_QUEUE_URL: z.string().min(1),
  /** Where the intake consumer puts messages that fail validation, with the error recorded. */
  INTAKE_DLQ_URL: z.string().min(1).optional(),
  /** EventBridge bus for events out (AWS). */
  EVENT_BUS_NAME: z.string().min(1).optional(),
  /** JSON-lines event log (local runtime). */
  EVENT_LOG_FILE: z.string().min(1).optional(),
  /** Signs list cursors; the same for every function of a stage. */
  CURSOR_SECRET: z.string().min(16).optional(),
  /** Days an access audit entry is kept (DynamoDB TTL). */
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(365),
  /** Intake limits in tickets per second: per source, and the stage's cap over all sources. */
  INTAKE_SOURCE_RATE: z.coerce.number().int().min(1).optional(),
  INTAKE_GLOBAL_RATE: z.coerce.number().int().min(1).optional(),
  /** The sweeper: seconds between passes within one invocation (AWS: 10; unset: one pass per invocation). */
  SWEEP_PASS_SECONDS: z.coerce.number().int().min(1).max(50).optional(),
  /** Local runtime and tests only: AWS at its worst (see README, "Running in AWS"). Unset in AWS. */
  OUTROUTE_FAULTS: z.string().optional(),
});

export type Env = z.infer<typeof envSchema>;

let parsed: Env | undefined;

/** Parsed once per cold start: a missing variable fails at start, not mid-request. */
export function env(): Env {
  parsed ??= envSchema.parse(process.env);
  return parsed;
}
