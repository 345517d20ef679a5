// The local webhook delivery queue and its DLQ (FIFO both), from the same
// definition the CDK stack uses; creating an existing queue is a no-op.
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { WEBHOOK_QUEUE } from '../resources.js';
import type { LocalQueue } from './provision.js';

export async function provisionWebhookQueue(
  sqs: SQSClient,
  prefix: string,
): Promise<LocalQueue & { arn: string }> {
  const dlq = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${prefix}-webhooks-dlq.fifo`,
      Attributes: { FifoQueue: 'true', MessageRetentionPeriod: String(14 * 86400) },
    }),
  );
  const dlqArn = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: `${prefix}-webhooks.fifo`,
      Attributes: {
        FifoQueue: 'true',
        VisibilityTimeout: String(WEBHOOK_QUEUE.visibilityTimeoutSeconds),
        MessageRetentionPeriod: String(WEBHOOK_QUEUE.retentionDays * 86400),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqArn.Attributes?.QueueArn,
          maxReceiveCount: WEBHOOK_QUEUE.maxReceiveCount,
        }),
      },
    }),
  );
  const arn = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  return { url: queue.QueueUrl ?? '', dlqUrl: dlq.QueueUrl ?? '', arn: arn.Attributes?.QueueArn ?? '' };
}

/** The environment the functions need to enqueue and deliver webhooks locally. */
export const webhookEnvironment = (queue: LocalQueue): Record<string, string> => ({
  WEBHOOK_QUEUE_URL: queue.url,
  WEBHOOK_DLQ_URL: queue.dlqUrl,
  WEBHOOK_URL_POLICY: 'local',
});
