// Runs before each integration test file, before its imports: a fresh table
// and fresh queues, and the environment Lambda would give the handlers.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { inject } from 'vitest';
import { provisionQueues, provisionTable } from '../../infra/local/provision.js';
import {
  CREDENTIALS,
  functionEnvironment,
  REGION,
  resolveLocalQueueHosts,
} from '../../infra/local/runtime.js';

resolveLocalQueueHosts();
const dynamoEndpoint = inject('dynamoEndpoint');
const sqsEndpoint = inject('sqsEndpoint');
const tableName = `t-${randomUUID().slice(0, 8)}`;
const dynamo = new DynamoDBClient({ endpoint: dynamoEndpoint, region: REGION, credentials: CREDENTIALS });
const sqs = new SQSClient({ endpoint: sqsEndpoint, region: REGION, credentials: CREDENTIALS });
const { streamArn } = await provisionTable(dynamo, tableName);
const queues = await provisionQueues(sqs, tableName);
dynamo.destroy();
sqs.destroy();

Object.assign(
  process.env,
  functionEnvironment(
    { dynamoEndpoint, sqsEndpoint, tableName, streamArn, queues, stop: async () => undefined },
    `/tmp/outroute-test-events-${tableName}.jsonl`,
  ),
  { OUTROUTE_TEST_STREAM_ARN: streamArn },
);
