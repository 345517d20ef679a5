// The embedded local runtime: DynamoDB Local, the SQS emulator, the HTTP API,
// queue and stream pollers and the sweeper timer, all driving the very
// handlers that run in Lambda.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { ScheduledEvent } from 'aws-lambda';
import { interceptLocalhostDns, startFauxqs } from 'fauxqs';
import { INTAKE_RATES } from '../../shared/domain/intake-limits.js';
import { withoutSdkLogging } from '../../shared/lib/sdk-logging.js';
import { QUEUES, WEBHOOK_QUEUE } from '../resources.js';
import { startDynamoDbLocal } from './dynamodb-local.js';
import { freePort } from './free-port.js';
import { type StaticSite, startHttpServer } from './http-adapter.js';
import { lambdaContext } from './lambda-context.js';
import { loadHandler } from './load-handler.js';
import { Phases } from './phases.js';
import { migrateLocalData } from './migrate-layout.js';
import { type LocalQueues, provisionQueues, provisionTable } from './provision.js';
import { type Poller, startQueuePoller } from './queue-poller.js';
import { relaxSqsEmulatorSync } from './sqs-durability.js';
import { startStreamPoller } from './stream-poller.js';
import { provisionWebhookQueue, webhookEnvironment } from './webhook-queue.js';

export const TABLE_NAME = 'outroute';
export const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const REGION = 'us-east-1';

export interface Backing {
  dynamoEndpoint: string;
  sqsEndpoint: string;
  tableName: string;
  streamArn: string;
  queues: LocalQueues;
  stop(): Promise<void>;
}

/** DynamoDB Local and the SQS emulator with the table and queues provisioned; data on disk when dataDir is set. */
export async function startBacking(options: {
  dataDir?: string;
  tableName?: string;
  phases?: Phases;
}): Promise<Backing> {
  const phases = options.phases ?? new Phases();
  resolveLocalQueueHosts();
  const tableName = options.tableName ?? TABLE_NAME;
  // The emulator keeps queue URLs, port included, across restarts: reuse the port it had.
  const sqsPort = (options.dataDir && readSqsPort(options.dataDir)) || (await freePort());
  let dynamoPort = await freePort();
  while (dynamoPort === sqsPort) dynamoPort = await freePort();

  // DynamoDB Local (a JVM: most of the start-up time) and the SQS emulator start side by side.
  const dynamoReady = phases
    .time('dynamodb', () =>
      startDynamoDbLocal({
        port: dynamoPort,
        dataDir: options.dataDir ? join(options.dataDir, 'dynamodb') : undefined,
      }),
    )
    .then(async (dynamoLocal) => {
      const dynamo = new DynamoDBClient({
        endpoint: dynamoLocal.endpoint,
        region: REGION,
        credentials: CREDENTIALS,
      });
      try {
        const { streamArn } = await phases.time('table', () => provisionTable(dynamo, tableName));
        await phases.time('layout', () => migrateLocalData(dynamo, tableName));
        return { dynamoLocal, streamArn };
      } catch (error) {
        await dynamoLocal.stop();
        throw error;
      } finally {
        dynamo.destroy();
      }
    });
  const sqsReady = (async () => {
    const sqsDataDir = options.dataDir ? join(options.dataDir, 'sqs') : undefined;
    if (sqsDataDir) mkdirSync(sqsDataDir, { recursive: true });
    await relaxSqsEmulatorSync();
    const fauxqs = await phases
      .time('sqs', () =>
        startFauxqs({
          port: sqsPort,
          logger: false,
          ...(sqsDataDir ? { dataDir: sqsDataDir } : {}),
        }),
      )
      .catch((error: Error) => {
        throw new Error(
          `the SQS emulator could not listen on port ${sqsPort} (${error.message}); is another npm start using ${options.dataDir}?`,
        );
      });
    if (options.dataDir) writeFileSync(join(options.dataDir, 'sqs-port'), String(fauxqs.port));
    // The host of the emulator's queue URLs, so the SDK's endpoint and the URLs agree.
    const sqsEndpoint = `http://sqs.${REGION}.localhost:${fauxqs.port}`;
    const sqs = new SQSClient({ endpoint: sqsEndpoint, region: REGION, credentials: CREDENTIALS });
    try {
      const queues = await phases.time('queues', () => provisionQueues(sqs, tableName));
      return { fauxqs, sqsEndpoint, queues };
    } catch (error) {
      await fauxqs.stop();
      throw error;
    } finally {
      sqs.destroy();
    }
  })();
  const [dynamoResult, sqsResult] = await Promise.allSettled([dynamoReady, sqsReady]);
  // If one failed, stop the other, so no JVM or port outlives the failed start.
  if (dynamoResult.status === 'rejected') {
    if (sqsResult.status === 'fulfilled') await sqsResult.value.fauxqs.stop();
    throw dynamoResult.reason;
  }
  if (sqsResult.status === 'rejected') {
    await dynamoResult.value.dynamoLocal.stop();
    throw sqsResult.reason;
  }
  const { dynamoLocal, streamArn } = dynamoResult.value;
  const { fauxqs, sqsEndpoint, queues } = sqsResult.value;
  return {
    dynamoEndpoint: dynamoLocal.endpoint,
    sqsEndpoint,
    tableName,
    streamArn,
    queues,
    async stop() {
      await Promise.allSettled([fauxqs.stop(), dynamoLocal.stop()]);
    },
  };
}

function readSqsPort(dataDir: string): number | undefined {
  try {
    return Number(readFileSync(join(dataDir, 'sqs-port'), 'utf8')) || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The emulator's queue URLs look like AWS's (http://sqs.us-east-1.localhost:PORT/…)
 * and the SDK sends to the URL's host: make every *.localhost name resolve to
 * the loopback address in this process, as browsers and systemd do.
 */
export function resolveLocalQueueHosts(): void {
  interceptLocalhostDns();
}

/**
 * The environment Lambda would give the functions, pointed at the local services. With
 * metricsLogFile the functions' EMF metrics go to that file (read at each flush); without,
 * POWERTOOLS_METRICS_DISABLED turns them off for modules imported after this is set (the tests).
 */
export function functionEnvironment(
  backing: Backing,
  eventLogFile: string,
  metricsLogFile?: string,
): Record<string, string> {
  return {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: backing.dynamoEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: backing.dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: backing.sqsEndpoint,
    TABLE_NAME: backing.tableName,
    ROUTING_QUEUE_URL: backing.queues.routing.url,
    INTAKE_DLQ_URL: backing.queues.intake.dlqUrl,
    EVENT_LOG_FILE: eventLogFile,
    ...(metricsLogFile ? { METRICS_LOG_FILE: metricsLogFile } : {}),
    POWERTOOLS_SERVICE_NAME: 'outroute',
    POWERTOOLS_LOG_LEVEL: process.env.OUTROUTE_LOG_LEVEL ?? 'WARN',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_TRACE_ENABLED: 'false',
    // Tracing is off locally, but the X-Ray SDK's automatic mode still hooks every promise
    // (cls-hooked async hooks): about 7 % of the platform's CPU at 100 tickets/s.
    AWS_XRAY_MANUAL_MODE: 'true',
    POWERTOOLS_DEV: 'true',
  };
}

/**
 * What the CDK stack gives the functions of a stage beyond the resources: the
 * cursor-signing secret (generated once, kept in the data directory so
 * cursors survive a restart) and the dev stage's intake limits
 * (OUTROUTE_INTAKE_SOURCE_RATE / OUTROUTE_INTAKE_GLOBAL_RATE override them).
 */
export function localStageEnvironment(dataDir: string): Record<string, string> {
  const secretFile = join(dataDir, 'cursor-secret');
  if (!existsSync(secretFile))
    writeFileSync(secretFile, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return {
    CURSOR_SECRET: readFileSync(secretFile, 'utf8').trim(),
    INTAKE_SOURCE_RATE:
      process.env.OUTROUTE_INTAKE_SOURCE_RATE ?? String(INTAKE_RATES.dev.perSourcePerSecond),
    INTAKE_GLOBAL_RATE: process.env.OUTROUTE_INTAKE_GLOBAL_RATE ?? String(INTAKE_RATES.dev.globalPerSecond),
    AUDIT_RETENTION_DAYS: process.env.OUTROUTE_AUDIT_RETENTION_DAYS ?? '365',
  };
}

export interface RuntimeOptions {
  port: number;
  dataDir: string;
  sweepSeconds: number;
  site?: StaticSite;
  onError?: (error: unknown) => void;
  /** Where the start-up steps record their times; the banner prints them. */
  phases?: Phases;
}

export interface Runtime {
  url: string;
  backing: Backing;
  eventLogFile: string;
  /** The functions' CloudWatch metrics (EMF), one JSON object a line. */
  metricsLogFile: string;
  stop(): Promise<void>;
}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const phases = options.phases ?? new Phases();
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const backing = await startBacking({ dataDir, phases });
  const eventLogFile = join(dataDir, 'events.jsonl');
  const metricsLogFile = join(dataDir, 'metrics.jsonl');
  Object.assign(
    process.env,
    functionEnvironment(backing, eventLogFile, metricsLogFile),
    localStageEnvironment(dataDir),
  );
  const onError =
    options.onError ?? ((error: unknown) => console.error('[outroute]', (error as Error).message ?? error));

  const sqs = withoutSdkLogging(new SQSClient({}));
  const arnOf = async (url: string) =>
    (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
      .Attributes?.QueueArn ?? '';
  const [intakeArn, routingArn] = await phases.time('pollers', () =>
    Promise.all([arnOf(backing.queues.intake.url), arnOf(backing.queues.routing.url)]),
  );
  // Webhook deliveries: their FIFO queue and DLQ, and the environment that enqueues and delivers them.
  const webhookQueue = await provisionWebhookQueue(sqs, backing.tableName);
  Object.assign(process.env, webhookEnvironment(webhookQueue));
  const pollers: Poller[] = [
    startQueuePoller({
      sqs,
      queueUrl: backing.queues.intake.url,
      queueArn: intakeArn,
      functionName: 'intake-tickets',
      handler: () => loadHandler('queue/intake-tickets'),
      definition: QUEUES.intake,
      concurrency: QUEUES.intake.maxConcurrency.dev,
      onError,
    }),
    startQueuePoller({
      sqs,
      queueUrl: backing.queues.routing.url,
      queueArn: routingArn,
      functionName: 'route-tickets',
      handler: () => loadHandler('queue/route-tickets'),
      definition: QUEUES.routing,
      concurrency: QUEUES.routing.maxConcurrency.dev,
      onError,
    }),
    startQueuePoller({
      sqs,
      queueUrl: webhookQueue.url,
      queueArn: webhookQueue.arn,
      functionName: 'deliver-webhooks',
      handler: () => loadHandler('queue/deliver-webhooks'),
      definition: WEBHOOK_QUEUE,
      concurrency: 2,
      onError,
    }),
    startStreamPoller({
      streams: withoutSdkLogging(new DynamoDBStreamsClient({})),
      streamArn: backing.streamArn,
      functionName: 'process-changes',
      handler: () => loadHandler('stream/process-changes'),
      checkpointFile: join(dataDir, 'stream-checkpoints.json'),
      onError,
    }),
  ];
  const sweeper = startSweeperTimer(options.sweepSeconds, onError);
  const server = await phases.time('http', () => startHttpServer(options.port, options.site));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  return {
    url: `http://127.0.0.1:${port}`,
    backing,
    eventLogFile,
    metricsLogFile,
    async stop() {
      await closeServer(server);
      sweeper.stop();
      await Promise.allSettled(pollers.map((poller) => poller.stop()));
      sqs.destroy();
      await backing.stop();
    },
  };
}

/** The schedule that EventBridge Scheduler gives the sweeper in AWS; one run at a time. */
function startSweeperTimer(seconds: number, onError: (error: unknown) => void) {
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      const sweep = await loadHandler<ScheduledEvent, unknown>('schedule/sweep');
      await sweep(scheduledEvent(), lambdaContext('sweep', 60));
    } catch (error) {
      onError(error);
    } finally {
      busy = false;
    }
  }, seconds * 1000);
  return { stop: () => clearInterval(timer) };
}

const scheduledEvent = (): ScheduledEvent => ({
  version: '0',
  id: crypto.randomUUID(),
  'detail-type': 'Scheduled Event',
  source: 'aws.scheduler',
  account: '000000000000',
  time: new Date().toISOString(),
  region: REGION,
  resources: [],
  detail: {},
});

function closeServer(server: Server): Promise<void> {
  return new Promise((resolvePromise) => {
    server.close(() => resolvePromise());
    server.closeAllConnections();
  });
}
