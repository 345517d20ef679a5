import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { type Poller, startQueuePoller } from '../../infra/local/queue-poller.js';
import { waitUntil } from '../../infra/local/wait.js';
import { createQueueWithDlq, receiveAll, sqsClient } from '../fixtures/sqs.js';

const definition = {
  logicalName: 'Test',
  visibilityTimeoutSeconds: 1,
  maxReceiveCount: 2,
  retentionDays: 1,
  batchSize: 10,
  maxBatchingWindowSeconds: 0,
  consumerTimeoutSeconds: 5,
};

describe('local queue poller (event source mapping semantics)', () => {
  it('deletes what succeeded, retries reported failures, and redrives them to the DLQ after maxReceiveCount', async () => {
    const sqs = sqsClient();
    const queue = await createQueueWithDlq(sqs, definition);
    const seen: string[] = [];
    const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
      seen.push(...event.Records.map((record) => record.body));
      return {
        batchItemFailures: event.Records.filter((record) => record.body === 'poison').map((record) => ({
          itemIdentifier: record.messageId,
        })),
      };
    };
    for (const body of ['ok-1', 'poison', 'ok-2'])
      await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));
    let poller: Poller | undefined;
    try {
      poller = startQueuePoller({
        sqs,
        queueUrl: queue.url,
        queueArn: 'arn:aws:sqs:us-east-1:000000000000:test',
        functionName: 'test',
        handler: async () => handler,
        definition,
        concurrency: 1,
        onError: () => undefined,
      });
      let dead: string[] = [];
      await waitUntil(
        async () => {
          dead = (await receiveAll(sqs, queue.dlqUrl)).map((message) => message.Body ?? '');
          if (!dead.length) throw new Error('nothing in the DLQ yet');
        },
        20_000,
        250,
      );
      expect(dead).toStrictEqual(['poison']);
      expect(seen.filter((body) => body === 'poison')).toHaveLength(2);
      expect(seen.filter((body) => body.startsWith('ok'))).toHaveLength(2);
    } finally {
      await poller?.stop();
    }
  });

  it('runs up to `concurrency` batches at once, never more, as the event source mapping scales', async () => {
    const sqs = sqsClient();
    const queue = await createQueueWithDlq(sqs, { ...definition, visibilityTimeoutSeconds: 30 });
    let running = 0;
    let most = 0;
    const done: string[] = [];
    const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
      running++;
      most = Math.max(most, running);
      // Held until the others have had every chance to start.
      await new Promise((resolve) => setTimeout(resolve, 300));
      running--;
      done.push(...event.Records.map((record) => record.body));
      return { batchItemFailures: [] };
    };
    for (let index = 0; index < 12; index++)
      await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: `m-${index}` }));
    let poller: Poller | undefined;
    try {
      poller = startQueuePoller({
        sqs,
        queueUrl: queue.url,
        queueArn: 'arn:aws:sqs:us-east-1:000000000000:test',
        functionName: 'test',
        handler: async () => handler,
        definition: { ...definition, batchSize: 2, visibilityTimeoutSeconds: 30 },
        concurrency: 3,
        onError: () => undefined,
      });
      await waitUntil(
        async () => {
          if (done.length < 12) throw new Error(`${done.length} of 12 handled`);
        },
        20_000,
        100,
      );
      expect(most).toBe(3);
      expect(new Set(done).size).toBe(12);
    } finally {
      await poller?.stop();
    }
  });
});
