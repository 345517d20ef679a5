import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { deliveryGroupOf, type WebhookDeliveryMessage } from '../../shared/messaging/webhook-queue.js';
import { deliverWebhookMessage, type DeliveryDeps } from '../../shared/use-cases/deliver-webhook.js';
import { appContext } from '../lib/app-context.js';
import { logger, metrics, observed } from '../lib/observability.js';
import { webhookEnv, webhookEventsOut, webhookQueue, webhookSender } from '../lib/webhooks.js';

function deps(): DeliveryDeps {
  const queue = webhookQueue();
  if (!queue) throw new Error('WEBHOOK_QUEUE_URL is not set');
  return {
    queue,
    sender: webhookSender(),
    events: webhookEventsOut(),
    retryBaseSeconds: webhookEnv().WEBHOOK_RETRY_BASE_SECONDS,
    random: Math.random,
  };
}

function parseMessage(body: string): WebhookDeliveryMessage | undefined {
  try {
    const message = JSON.parse(body) as Partial<WebhookDeliveryMessage>;
    const valid =
      typeof message.webhookId === 'string' &&
      typeof message.event?.id === 'string' &&
      typeof message.event.type === 'string' &&
      typeof message.enqueuedAt === 'number';
    return valid ? (message as WebhookDeliveryMessage) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Delivers a batch from the FIFO webhook queue: each group (subscription ×
 * ticket) in order, groups side by side. A delivery to retry is hidden until
 * its next attempt and reported failed; the rest of its group in this batch
 * waits as long, so no later event overtakes it.
 */
async function deliverBatch(event: SQSEvent): Promise<SQSBatchResponse> {
  const ctx = appContext();
  const delivery = deps();
  const groups = new Map<string, { record: SQSRecord; message: WebhookDeliveryMessage }[]>();
  for (const record of event.Records) {
    const message = parseMessage(record.body);
    if (!message) {
      // Not ours (only the stream consumer and the delivery function write this queue): dropped, said so.
      logger.error('webhook queue message is not a delivery; dropped', { messageId: record.messageId });
      continue;
    }
    const group = deliveryGroupOf(message);
    groups.set(group, [...(groups.get(group) ?? []), { record, message }]);
  }
  const failures: string[] = [];
  await Promise.all(
    [...groups.values()].map(async (items) => {
      let heldFor: number | undefined;
      for (const { record, message } of items) {
        if (heldFor !== undefined) {
          await delivery.queue.retryLater(record.receiptHandle, heldFor).catch(() => undefined);
          failures.push(record.messageId);
          continue;
        }
        logger.appendKeys({ webhookId: message.webhookId, eventId: message.event.id });
        try {
          const result = await deliverWebhookMessage(ctx, delivery, message, {
            receiptHandle: record.receiptHandle,
            receiveCount: Number(record.attributes.ApproximateReceiveCount) || 1,
          });
          // The failure-rate alarm divides these two.
          metrics.addMetric(result.delivered ? 'WebhookDelivered' : 'WebhookFailed', MetricUnit.Count, 1);
          if (result.kind === 'retry') {
            heldFor = result.delaySeconds;
            failures.push(record.messageId);
          }
        } catch (error) {
          // Our own failure (table, queue): the message comes back after the queue's visibility timeout.
          logger.error('webhook delivery failed', { error: (error as Error).message });
          metrics.addMetric('WebhookDeliveryErrors', MetricUnit.Count, 1);
          heldFor = 0;
          failures.push(record.messageId);
        }
      }
    }),
  );
  return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
}

export const handler = middy<SQSEvent, SQSBatchResponse, Error, Context>()
  .use(observed())
  .handler(deliverBatch);
