// What differs between stages, read once from the CDK context
// (`-c stage=dev|prod`, `-c alarmEmail=ops@example.com`).
import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { INTAKE_RATES, type IntakeRates } from '../shared/domain/intake-limits.js';
import { QUEUES } from './resources.js';

export type StageName = 'dev' | 'prod';

export interface StageConfig {
  stage: StageName;
  /** Every physical name starts with this: `outroute-<stage>`. */
  prefix: string;
  logRetention: RetentionDays;
  /** For the table, the KMS key, the buckets and the log groups. */
  removalPolicy: RemovalPolicy;
  /** Alarms notify this address by email when set. */
  alarmEmail?: string;
  /** HTTP API stage throttling (requests per second, burst). */
  apiThrottle: { rateLimit: number; burstLimit: number };
  /** Upper bound of concurrent invocations per SQS event source (min 2), from QUEUES in resources.ts. */
  maxConcurrency: { intake: number; routing: number };
  /**
   * Concurrency reserved for the workers nothing else may starve: the router (at least its queue's
   * maxConcurrency), the stream consumer, and the sweeper (a throttled scheduled run is dropped).
   */
  reservedConcurrency: { router: number; stream: number; sweep: number };
  /** SLA breaches within one hour that raise the alarm. */
  slaBreachesPerHour: number;
  /** Intake limits the functions enforce (429 throttled with Retry-After). */
  intake: IntakeRates;
  /** Days the access audit trail keeps an entry (DynamoDB TTL). */
  auditRetentionDays: number;
}

const STAGES: Record<StageName, Omit<StageConfig, 'stage' | 'prefix' | 'alarmEmail'>> = {
  dev: {
    logRetention: RetentionDays.TWO_WEEKS,
    removalPolicy: RemovalPolicy.DESTROY,
    apiThrottle: { rateLimit: 50, burstLimit: 100 },
    maxConcurrency: { intake: QUEUES.intake.maxConcurrency.dev, routing: QUEUES.routing.maxConcurrency.dev },
    reservedConcurrency: { router: 5, stream: 2, sweep: 2 },
    slaBreachesPerHour: 10,
    intake: INTAKE_RATES.dev,
    auditRetentionDays: 90,
  },
  prod: {
    logRetention: RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
    apiThrottle: { rateLimit: 500, burstLimit: 1000 },
    maxConcurrency: {
      intake: QUEUES.intake.maxConcurrency.prod,
      routing: QUEUES.routing.maxConcurrency.prod,
    },
    reservedConcurrency: { router: 10, stream: 4, sweep: 2 },
    slaBreachesPerHour: 1,
    intake: INTAKE_RATES.prod,
    auditRetentionDays: 400,
  },
};

const isStage = (value: unknown): value is StageName => value === 'dev' || value === 'prod';

/** The stage's configuration; an unknown stage fails the synth at once. */
export function stageConfig(node: Node): StageConfig {
  const stage = node.tryGetContext('stage') ?? 'dev';
  if (!isStage(stage)) throw new Error(`unknown stage "${String(stage)}": use -c stage=dev or -c stage=prod`);
  const alarmEmail = node.tryGetContext('alarmEmail');
  if (alarmEmail !== undefined && (typeof alarmEmail !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(alarmEmail))) {
    throw new Error(`alarmEmail "${String(alarmEmail)}" is not an email address`);
  }
  return { stage, prefix: `outroute-${stage}`, alarmEmail, ...STAGES[stage] };
}
