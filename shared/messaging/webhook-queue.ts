// The webhook delivery queue: SQS FIFO, one message per (subscription, event),
// grouped per subscription and ticket so a ticket's events reach each receiver
// in the order they happened, and de-duplicated by (subscription, event id)
// so a replayed stream record is not delivered twice.
import {
  ChangeMessageVisibilityCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { OutEvent } from '../domain/events.js';

export interface WebhookDeliveryMessage {
  webhookId: string;
  event: OutEvent;
  /** Epoch ms of enqueueing: retries stop a day after it. */
  enqueuedAt: number;
}

/** Per subscription and ticket (or per subscription for events without a ticket). */
export const deliveryGroupOf = (message: WebhookDeliveryMessage) =>
  `${message.webhookId}:${message.event.ticketId ?? message.event.providerId ?? 'platform'}`;

/** FIFO ids allow letters, digits and punctuation, at most 128 characters. */
const fifoId = (text: string) => text.replace(/[^\w!-/:-@[-`{-~]/g, '_').slice(0, 128);

export interface WebhookQueue {
  enqueue(messages: WebhookDeliveryMessage[]): Promise<void>;
  /** Hides a received message for `seconds`: its next attempt (the group waits behind it). */
  retryLater(receiptHandle: string, seconds: number): Promise<void>;
  /** The event gave up (retries exhausted, refused, or its subscription disabled): kept on the DLQ with why. */
  deadLetter(message: WebhookDeliveryMessage, errorCode: string, error: string): Promise<void>;
}

export function sqsWebhookQueue(
  sqs: SQSClient,
  urls: { queueUrl: string; deadLetterUrl: string },
): WebhookQueue {
  return {
    async enqueue(messages) {
      for (let start = 0; start < messages.length; start += 10) {
        const batch = messages.slice(start, start + 10);
        const result = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: urls.queueUrl,
            Entries: batch.map((message, index) => ({
              Id: String(index),
              MessageBody: JSON.stringify(message),
              MessageGroupId: fifoId(deliveryGroupOf(message)),
              MessageDeduplicationId: fifoId(`${message.webhookId}:${message.event.id}`),
            })),
          }),
        );
        // The stream record fails and is retried; the de-duplication id drops what did get through.
        if (result.Failed?.length) throw new Error(`webhook queue refused ${result.Failed.length} messages`);
      }
    },
    async retryLater(receiptHandle, seconds) {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: urls.queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: seconds,
        }),
      );
    },
    async deadLetter(message, errorCode, error) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: urls.deadLetterUrl,
          MessageBody: JSON.stringify(message),
          MessageGroupId: fifoId(deliveryGroupOf(message)),
          MessageDeduplicationId: fifoId(`${message.webhookId}:${message.event.id}:dead`),
          MessageAttributes: {
            errorCode: { DataType: 'String', StringValue: errorCode },
            error: { DataType: 'String', StringValue: error.slice(0, 1000) || errorCode },
          },
        }),
      );
    },
  };
}
