import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { sqsRoutingQueue } from '../../shared/messaging/routing-queue.js';
import { TABLE } from '../../infra/resources.js';
import { createDocumentClient } from '../../shared/store/dynamo-client.js';
import { hasFaults, installFaults, parseFaults } from '../../shared/store/dynamo-faults.js';
import type { AppContext } from '../../shared/use-cases/context.js';
import { env } from './env.js';
import { sdkClient, tracer } from './observability.js';

let context: AppContext | undefined;

/** The handlers' context, built on first use from the environment and reused while warm. */
export function appContext(): AppContext {
  if (!context) {
    const {
      TABLE_NAME,
      ROUTING_QUEUE_URL,
      CURSOR_SECRET,
      AUDIT_RETENTION_DAYS,
      INTAKE_SOURCE_RATE,
      INTAKE_GLOBAL_RATE,
      OUTROUTE_FAULTS,
    } = env();
    const dynamo = tracer.captureAWSv3Client(new DynamoDBClient({}));
    const faults = parseFaults(OUTROUTE_FAULTS);
    if (hasFaults(faults))
      installFaults(dynamo, faults, {
        reader: createDocumentClient(new DynamoDBClient({})),
        indexes: Object.fromEntries(
          TABLE.indexes.map((index) => [index.name, [index.partitionKey, index.sortKey]]),
        ),
      });
    const sqs = sdkClient(new SQSClient({}));
    context = {
      table: { db: createDocumentClient(dynamo), name: TABLE_NAME },
      routingQueue: sqsRoutingQueue(sqs, ROUTING_QUEUE_URL),
      now: () => Date.now(),
      cursorSecret: CURSOR_SECRET,
      auditRetentionDays: AUDIT_RETENTION_DAYS,
      intakeLimits:
        INTAKE_SOURCE_RATE && INTAKE_GLOBAL_RATE
          ? { perSourcePerSecond: INTAKE_SOURCE_RATE, globalPerSecond: INTAKE_GLOBAL_RATE }
          : undefined,
    };
  }
  return context;
}
