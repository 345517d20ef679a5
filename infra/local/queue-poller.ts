// Polls an SQS queue the way a Lambda event source mapping does: batches up
// to batchSize within the batching window, ReportBatchItemFailures (only the
// failed records stay on the queue), and the queue's own visibility timeout
// and redrive policy for retries and the DLQ.
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { QueueDefinition } from '../resources.js';
import { invoked } from './invocations.js';
import { lambdaContext, withinTimeout } from './lambda-context.js';
import type { LambdaHandler } from './load-handler.js';

export interface Poller {
  stop(): Promise<void>;
}

function toRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}

export function startQueuePoller(options: {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  /** The function's name, for its Lambda context. */
  functionName: string;
  handler: () => Promise<LambdaHandler<SQSEvent, SQSBatchResponse | undefined>>;
  definition: QueueDefinition;
  /** How many batches may run at once (the mapping's maximum concurrency). */
  concurrency: number;
  onError: (error: unknown) => void;
}): Poller {
  const { sqs, queueUrl, definition } = options;
  let running = true;
  const abort = new AbortController();

  async function receiveBatch(): Promise<Message[]> {
    const messages: Message[] = [];
    const windowEnds = Date.now() + definition.maxBatchingWindowSeconds * 1000;
    do {
      const result = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, definition.batchSize - messages.length),
          WaitTimeSeconds: messages.length ? 0 : 1,
          MessageSystemAttributeNames: ['All'],
        }),
        { abortSignal: abort.signal },
      );
      const received = result.Messages ?? [];
      messages.push(...received);
      if (!received.length && messages.length) break;
    } while (
      running &&
      messages.length > 0 &&
      messages.length < definition.batchSize &&
      Date.now() < windowEnds
    );
    return messages;
  }

  async function invoke(messages: Message[]): Promise<void> {
    const handler = await options.handler();
    const records = messages.map((message) => toRecord(message, options.queueArn));
    let failed: Set<string>;
    try {
      const response = await invoked(options.functionName, records.length, () =>
        withinTimeout(
          handler(
            { Records: records },
            lambdaContext(options.functionName, definition.consumerTimeoutSeconds),
          ),
          options.functionName,
          definition.consumerTimeoutSeconds,
        ),
      );
      failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch (error) {
      // A thrown handler fails the whole batch: every message stays for a retry.
      options.onError(error);
      return;
    }
    const done = records.filter((record) => !failed.has(record.messageId));
    for (let start = 0; start < done.length; start += 10) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.slice(start, start + 10).map((record, index) => ({
            Id: String(index),
            ReceiptHandle: record.receiptHandle,
          })),
        }),
      );
    }
  }

  /**
   * One receiver hands each batch to an invocation of its own, up to `concurrency` at once, as the event
   * source mapping scales its invocations with the queue's backlog: an idle queue costs one long poll
   * at a time, a busy one runs `concurrency` batches side by side.
   */
  async function loop(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    while (running) {
      try {
        while (inFlight.size >= options.concurrency) await Promise.race(inFlight);
        const messages = await receiveBatch();
        if (!messages.length) continue;
        const invocation: Promise<void> = invoke(messages)
          .catch((error: unknown) => options.onError(error))
          .finally(() => inFlight.delete(invocation));
        inFlight.add(invocation);
      } catch (error) {
        if (!running) break;
        options.onError(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    await Promise.allSettled(inFlight);
  }

  const polling = loop();
  return {
    async stop() {
      running = false;
      abort.abort();
      await polling;
    },
  };
}
