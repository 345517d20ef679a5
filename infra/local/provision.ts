// Creates the local table and queues from the same definitions the CDK stack uses.
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { QUEUES, type QueueName, TABLE } from '../resources.js';

export interface LocalQueue {
  url: string;
  dlqUrl: string;
}

export type LocalQueues = Record<QueueName, LocalQueue>;

export async function provisionTable(
  dynamo: DynamoDBClient,
  tableName: string,
): Promise<{ streamArn: string }> {
  try {
    const existing = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    return { streamArn: existing.Table?.LatestStreamArn ?? '' };
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  const keyAttributes = [
    TABLE.partitionKey,
    TABLE.sortKey,
    ...TABLE.indexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  const created = await dynamo.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: keyAttributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: TABLE.indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: index.include
          ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.include] }
          : { ProjectionType: 'ALL' },
      })),
      StreamSpecification: { StreamEnabled: true, StreamViewType: TABLE.streamView },
    }),
  );
  await dynamo.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: TABLE.timeToLiveAttribute, Enabled: true },
    }),
  );
  return { streamArn: created.TableDescription?.LatestStreamArn ?? '' };
}

/** Each queue with its DLQ and redrive policy; creating an existing queue is a no-op. */
export async function provisionQueues(sqs: SQSClient, prefix: string): Promise<LocalQueues> {
  const queues = {} as LocalQueues;
  for (const [name, definition] of Object.entries(QUEUES) as [QueueName, (typeof QUEUES)[QueueName]][]) {
    const retention = String(definition.retentionDays * 86400);
    const dlq = await sqs.send(
      new CreateQueueCommand({
        QueueName: `${prefix}-${name}-dlq`,
        Attributes: { MessageRetentionPeriod: String(14 * 86400) },
      }),
    );
    const dlqArn = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const queue = await sqs.send(
      new CreateQueueCommand({
        QueueName: `${prefix}-${name}`,
        Attributes: {
          VisibilityTimeout: String(definition.visibilityTimeoutSeconds),
          MessageRetentionPeriod: retention,
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlqArn.Attributes?.QueueArn,
            maxReceiveCount: definition.maxReceiveCount,
          }),
        },
      }),
    );
    queues[name] = { url: queue.QueueUrl ?? '', dlqUrl: dlq.QueueUrl ?? '' };
  }
  return queues;
}
