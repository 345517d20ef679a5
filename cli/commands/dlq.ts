// dlq list | redrive: what the queues gave up on, and sending it back.
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { functionEnvironment } from '../../infra/local/runtime.js';
import type { RuntimeFile } from '../../infra/local/runtime-file.js';
import {
  listStreamFailures,
  removeStreamFailure,
  streamFailuresDir,
} from '../../infra/local/stream-failures.js';
import { localSqs, withLocal } from '../lib/local.js';
import { paint, plural, shortTime, table, truncate } from '../lib/output.js';
import { requireRuntime, settingsOf } from '../lib/settings.js';

const QUEUE_NAMES = ['intake', 'routing'] as const;
type QueueName = (typeof QUEUE_NAMES)[number];

/** Attributes that describe the failure; they do not travel back with a redriven message. */
const FAILURE_ATTRIBUTES = new Set(['errorCode', 'error', 'sourceMessageId']);

export interface DlqMessage {
  queue: QueueName;
  messageId: string;
  errorCode: string | null;
  error: unknown;
  sentAt: string | null;
  receiveCount: number;
  body: string;
}

const queueOption = () =>
  new Option('--queue <queue>', 'which DLQ (default: both)').choices([...QUEUE_NAMES]);

const chunks = <T>(items: T[], size = 10) =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, index) =>
    items.slice(index * size, index * size + size),
  );

const queueLabel = (url: string) => url.split('/').pop() ?? url;

/**
 * Makes received messages visible again. One second, not zero: the SQS
 * emulator (fauxqs 2.4.1 with a data directory) fails a change to 0 with a
 * SQLite NOT NULL error and drops the message from memory; any timeout above
 * zero works, there and in AWS.
 */
export const VISIBLE_AGAIN_SECONDS = 1;

async function setVisible(sqs: SQSClient, queueUrl: string, receiptHandles: string[]): Promise<void> {
  for (const batch of chunks(receiptHandles)) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: batch.map((handle, index) => ({
          Id: String(index),
          ReceiptHandle: handle,
          VisibilityTimeout: VISIBLE_AGAIN_SECONDS,
        })),
      }),
    );
  }
}

/** Messages on the queue, visible or not (another `dlq list` may hold some for a second). */
async function approximateCount(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

const receive = (sqs: SQSClient, queueUrl: string, max: number, visibilitySeconds: number, waitSeconds = 0) =>
  sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: Math.max(1, Math.min(10, max)),
      VisibilityTimeout: visibilitySeconds,
      WaitTimeSeconds: waitSeconds,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['All'],
    }),
  );

function parseError(value: string | undefined): unknown {
  if (value === undefined) return null;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function toDlqMessage(queue: QueueName, message: Message): DlqMessage {
  const attributes = message.MessageAttributes ?? {};
  const sent = message.Attributes?.SentTimestamp;
  return {
    queue,
    messageId: message.MessageId ?? '',
    errorCode: attributes.errorCode?.StringValue ?? null,
    error: parseError(attributes.error?.StringValue),
    sentAt: sent ? new Date(Number(sent)).toISOString() : null,
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
    body: message.Body ?? '',
  };
}

/**
 * Up to `limit` messages of a DLQ, left on it: each is received with a short
 * visibility timeout (so the next receive pages on) and made visible again a second later.
 */
export async function peekQueue(sqs: SQSClient, queue: QueueName, queueUrl: string, limit: number) {
  const seen = new Map<string, DlqMessage>();
  const handles: string[] = [];
  try {
    const expected = Math.min(limit, await approximateCount(sqs, queueUrl));
    while (seen.size < limit) {
      const { Messages = [] } = await receive(
        sqs,
        queueUrl,
        limit - seen.size,
        30,
        seen.size < expected ? 2 : 0,
      );
      if (!Messages.length) break;
      let fresh = 0;
      for (const message of Messages) {
        if (message.ReceiptHandle) handles.push(message.ReceiptHandle);
        if (message.MessageId && !seen.has(message.MessageId)) {
          seen.set(message.MessageId, toDlqMessage(queue, message));
          fresh++;
        }
      }
      if (!fresh) break;
    }
  } finally {
    await setVisible(sqs, queueUrl, handles);
  }
  return [...seen.values()];
}

/** The recorded error, shortened: its message and the paths of its details. */
function errorText(error: unknown): string {
  if (error === null || error === undefined) return '-';
  if (typeof error === 'string') return error;
  const { message, details } = error as { message?: string; details?: { path?: string; message?: string }[] };
  const detail = (details ?? []).map((entry) =>
    entry.path ? `${entry.path}: ${entry.message}` : entry.message,
  );
  return (
    [message, detail.length ? `(${detail.join('; ')})` : ''].filter(Boolean).join(' ') ||
    JSON.stringify(error)
  );
}

/**
 * Moves a DLQ's messages back to its source queue: send, then delete. Only
 * messages that were on the DLQ before the redrive began move, so one that
 * fails again and is dead-lettered anew is not sent round in a loop.
 */
export async function redriveQueue(sqs: SQSClient, dlqUrl: string, targetUrl: string) {
  const startedAt = Date.now();
  const seen = new Set<string>();
  const keepHidden: string[] = [];
  let moved = 0;
  let failed = 0;
  try {
    for (;;) {
      const waitSeconds = (await approximateCount(sqs, dlqUrl)) > keepHidden.length ? 2 : 0;
      const { Messages = [] } = await receive(sqs, dlqUrl, 10, 60, waitSeconds);
      if (!Messages.length) break;
      const toMove: Message[] = [];
      for (const message of Messages) {
        const sentAt = Number(message.Attributes?.SentTimestamp ?? 0);
        const id = message.MessageId ?? '';
        if (seen.has(id) || sentAt >= startedAt) keepHidden.push(message.ReceiptHandle ?? '');
        else toMove.push(message);
        seen.add(id);
      }
      // Those kept back stay hidden until the end, so the next receive moves on to others.
      if (!toMove.length) continue;
      const sent = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: targetUrl,
          Entries: toMove.map((message, index) => ({
            Id: String(index),
            MessageBody: message.Body ?? '',
            MessageAttributes: keptAttributes(message.MessageAttributes),
          })),
        }),
      );
      const ok = new Set((sent.Successful ?? []).map((entry) => entry.Id));
      const done = toMove.filter((_, index) => ok.has(String(index)));
      const notSent = toMove.filter((_, index) => !ok.has(String(index)));
      failed += notSent.length;
      keepHidden.push(...notSent.map((message) => message.ReceiptHandle ?? ''));
      if (done.length) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: dlqUrl,
            Entries: done.map((message, index) => ({
              Id: String(index),
              ReceiptHandle: message.ReceiptHandle ?? '',
            })),
          }),
        );
        moved += done.length;
      }
    }
  } finally {
    await setVisible(sqs, dlqUrl, keepHidden.filter(Boolean));
  }
  return { moved, failed };
}

function keptAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
): Record<string, MessageAttributeValue> | undefined {
  const kept = Object.entries(attributes ?? {}).filter(([name]) => !FAILURE_ATTRIBUTES.has(name));
  return kept.length ? Object.fromEntries(kept) : undefined;
}

const positiveInt = (value: string) => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('a whole number, 1 or more');
  return number;
};

const selected = (queue: QueueName | undefined): QueueName[] => (queue ? [queue] : [...QUEUE_NAMES]);

async function withQueues<T>(command: Command, work: (sqs: SQSClient, runtime: RuntimeFile) => Promise<T>) {
  const runtime = requireRuntime(settingsOf(command));
  const sqs = await localSqs(runtime);
  try {
    return await withLocal('the local SQS emulator', runtime.sqsEndpoint, () => work(sqs, runtime));
  } finally {
    sqs.destroy();
  }
}

export function dlqCommand(): Command {
  const dlq = new Command('dlq').description('dead-letter queues of the local platform: look, then redrive');

  dlq
    .command('list')
    .description('show the messages in the DLQs and why they failed, leaving them there')
    .addOption(queueOption())
    .option('--limit <count>', 'at most this many messages per queue', positiveInt, 50)
    .option('--json', 'print the messages as JSON')
    .action(async (options: { queue?: QueueName; limit: number; json?: boolean }, command: Command) => {
      await withQueues(command, async (sqs, runtime) => {
        const all: DlqMessage[] = [];
        const sections: string[] = [];
        for (const name of selected(options.queue)) {
          const url = runtime.queues[name].dlqUrl;
          const messages = await peekQueue(sqs, name, url, options.limit);
          all.push(...messages);
          sections.push(
            `${paint('bold', `${name} DLQ`)} ${queueLabel(url)}: ${plural(messages.length, 'message')}` +
              (messages.length
                ? `\n${table(
                    ['message id', 'errorCode', 'error', 'sent', 'body'],
                    messages.map((message) => [
                      message.messageId,
                      message.errorCode ?? '-',
                      truncate(errorText(message.error), 60),
                      shortTime(message.sentAt),
                      truncate(message.body, 60),
                    ]),
                    { style: (_row, column) => (column === 1 ? 'red' : undefined) },
                  )}`
                : ''),
          );
        }
        console.log(options.json ? JSON.stringify(all, null, 2) : sections.join('\n\n'));
      });
    });

  dlq
    .command('redrive')
    .description('move the DLQ messages back to their source queue (send, then delete) and print the count')
    .addOption(queueOption())
    .action(async (options: { queue?: QueueName }, command: Command) => {
      await withQueues(command, async (sqs, runtime) => {
        let total = 0;
        let totalFailed = 0;
        for (const name of selected(options.queue)) {
          const { url, dlqUrl } = runtime.queues[name];
          const { moved, failed } = await redriveQueue(sqs, dlqUrl, url);
          total += moved;
          totalFailed += failed;
          console.log(
            `${name}: redrove ${plural(moved, 'message')} from ${queueLabel(dlqUrl)} to ${queueLabel(url)}` +
              (failed ? paint('red', ` (${failed} could not be sent and stay on the DLQ)`) : ''),
          );
        }
        if (!options.queue) console.log(`redrove ${plural(total, 'message')} in all`);
        if (totalFailed) process.exitCode = 1;
      });
    });

  dlq.addCommand(streamFailuresCommand());
  return dlq;
}

/**
 * Stream batches the stream consumer gave up on after its retries. Locally they are files in
 * <dataDir>/stream-failures/; in AWS, objects in the stream-failures bucket with the same content (the
 * invocation record and the batch as `payload`). Redrive replays the batch through the same handler: every
 * step it takes is idempotent, so records that had already worked do no harm.
 */
function streamFailuresCommand(): Command {
  const stream = new Command('stream').description('stream batches kept after the stream consumer gave up');
  stream
    .command('list')
    .description('show the kept batches: when, which shard and sequence numbers, how many records')
    .option('--json', 'print them as JSON')
    .action((options: { json?: boolean }, command: Command) => {
      const { dataDir } = settingsOf(command);
      const kept = listStreamFailures(streamFailuresDir(dataDir));
      if (options.json) {
        console.log(
          JSON.stringify(
            kept.map(({ failure }) => failure),
            null,
            2,
          ),
        );
        return;
      }
      console.log(`${paint('bold', 'stream failures')}: ${plural(kept.length, 'batch', 'batches')}`);
      if (kept.length)
        console.log(
          table(
            ['kept', 'shard', 'first sequence', 'last sequence', 'records'],
            kept.map(({ failure }) => [
              shortTime(failure.timestamp),
              truncate(failure.DDBStreamBatchInfo.shardId, 30),
              failure.DDBStreamBatchInfo.startSequenceNumber,
              failure.DDBStreamBatchInfo.endSequenceNumber,
              String(failure.DDBStreamBatchInfo.batchSize),
            ]),
          ),
        );
    });
  stream
    .command('redrive')
    .description('replay each kept batch through the stream consumer; a batch that works is removed')
    .action(async (_options: unknown, command: Command) => {
      const settings = settingsOf(command);
      const runtime = requireRuntime(settings);
      Object.assign(
        process.env,
        functionEnvironment({ ...runtime, streamArn: '', stop: async () => undefined }, runtime.eventLogFile),
      );
      const { handler } = await import('../../functions/stream/process-changes.js');
      let replayed = 0;
      let failed = 0;
      for (const { file, failure } of listStreamFailures(streamFailuresDir(settings.dataDir))) {
        const response = await handler(JSON.parse(failure.payload), lambdaContext('process-changes', 60));
        if (response?.batchItemFailures?.length) failed++;
        else {
          removeStreamFailure(file);
          replayed++;
        }
      }
      console.log(
        `stream: replayed ${plural(replayed, 'batch', 'batches')}` +
          (failed ? paint('red', ` (${failed} failed again and stay kept)`) : ''),
      );
      if (failed) process.exitCode = 1;
    });
  return stream;
}
