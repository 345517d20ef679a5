import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { sqsRoutingQueue } from '../../shared/messaging/routing-queue.js';
import { createDocumentClient } from '../../shared/store/dynamo-client.js';
import type { AppContext } from '../../shared/use-cases/context.js';
import { env } from './env.js';
import { tracer } from './observability.js';

let context: AppContext | undefined;

/** The handlers' context, built on first use from the environment and reused while warm. */
export function appContext(): AppContext {
  if (!context) {
    const { TABLE_NAME, ROUTING_QUEUE_URL } = env();
    const dynamo = tracer.captureAWSv3Client(new DynamoDBClient({}));
    const sqs = tracer.captureAWSv3Client(new SQSClient({}));
    context = {
      table: { db: createDocumentClient(dynamo), name: TABLE_NAME },
      routingQueue: sqsRoutingQueue(sqs, ROUTING_QUEUE_URL),
      now: () => Date.now(),
    };
  }
  return context;
}
