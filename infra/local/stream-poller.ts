// Reads the table's stream the way Lambda's DynamoDB event source does:
// shard by shard, in order, in batches; a failed record (ReportBatchItemFailures)
// is retried from its sequence number, up to maxRetries, then skipped.
// Checkpoints are kept in a file so a restart resumes where it stopped.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  type _Record,
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { STREAM } from '../resources.js';
import { invoked } from './invocations.js';
import { lambdaContext, withinTimeout } from './lambda-context.js';
import { keepStreamFailure } from './stream-failures.js';
import type { LambdaHandler } from './load-handler.js';
import type { Poller } from './queue-poller.js';

type Checkpoints = Record<string, string>;

function readCheckpoints(file: string | undefined): Checkpoints {
  if (!file) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Checkpoints;
  } catch {
    return {};
  }
}

function toLambdaRecord(record: _Record, streamArn: string): DynamoDBRecord {
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    eventSourceARN: streamArn,
    dynamodb: record.dynamodb as DynamoDBRecord['dynamodb'],
  };
}

export function startStreamPoller(options: {
  streams: DynamoDBStreamsClient;
  streamArn: string;
  functionName: string;
  handler: () => Promise<LambdaHandler<DynamoDBStreamEvent, DynamoDBBatchResponse | undefined>>;
  checkpointFile?: string;
  pollMs?: number;
  onError: (error: unknown) => void;
}): Poller {
  const { streams, streamArn } = options;
  const checkpoints = readCheckpoints(options.checkpointFile);
  // Beside the checkpoints, in the data directory: <dataDir>/stream-failures/.
  const failureDir = options.checkpointFile
    ? join(dirname(options.checkpointFile), 'stream-failures')
    : undefined;
  const iterators = new Map<string, string | undefined>();
  const finishedShards = new Set<string>();
  let running = true;
  let wake: (() => void) | undefined;

  const saveCheckpoints = () => {
    if (options.checkpointFile) writeFileSync(options.checkpointFile, JSON.stringify(checkpoints));
  };

  async function iteratorFor(shardId: string): Promise<string | undefined> {
    const after = checkpoints[shardId];
    const result = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: after ? 'AFTER_SEQUENCE_NUMBER' : 'TRIM_HORIZON',
        SequenceNumber: after,
      }),
    );
    return result.ShardIterator;
  }

  /** Hands records to the function (retrying from the first failed record) and checkpoints after them. */
  async function deliver(shardId: string, records: _Record[]): Promise<void> {
    const handler = await options.handler();
    for (let attempt = 0; attempt <= STREAM.maxRetries; attempt++) {
      try {
        const batch = records;
        const response = await invoked(options.functionName, batch.length, () =>
          withinTimeout(
            handler(
              { Records: batch.map((record) => toLambdaRecord(record, streamArn)) },
              lambdaContext(options.functionName, STREAM.timeoutSeconds),
            ),
            options.functionName,
            STREAM.timeoutSeconds,
          ),
        );
        const firstFailure = response?.batchItemFailures?.[0]?.itemIdentifier;
        if (!firstFailure) break;
        const index = records.findIndex((record) => record.dynamodb?.SequenceNumber === firstFailure);
        records = index >= 0 ? records.slice(index) : records;
      } catch (error) {
        options.onError(error);
      }
      if (attempt === STREAM.maxRetries) {
        // As the S3 on-failure destination in AWS: the batch is kept, to be redriven (outroute dlq stream).
        const kept = failureDir
          ? keepStreamFailure(
              failureDir,
              { Records: records.map((record) => toLambdaRecord(record, streamArn)) },
              {
                shardId,
                streamArn,
                functionName: options.functionName,
                attempts: attempt + 1,
              },
            )
          : 'nowhere (no checkpoint file)';
        options.onError(new Error(`stream batch failed after ${attempt} retries, kept in ${kept}`));
      }
    }
    const last = records.at(-1)?.dynamodb?.SequenceNumber;
    if (last) checkpoints[shardId] = last;
    saveCheckpoints();
  }

  /** One shard's new records, batch after batch, in order (one batch per shard at a time, as Lambda). */
  async function pollShard(shardId: string): Promise<void> {
    if (!iterators.has(shardId)) iterators.set(shardId, await iteratorFor(shardId));
    let iterator = iterators.get(shardId);
    while (running && iterator) {
      const page = await streams.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: STREAM.batchSize }),
      );
      iterator = page.NextShardIterator;
      const records = page.Records ?? [];
      if (records.length) await deliver(shardId, records);
      if (records.length < STREAM.batchSize) break;
    }
    iterators.set(shardId, iterator);
    if (!iterator) finishedShards.add(shardId);
  }

  /**
   * Every shard side by side (Lambda runs one invocation per shard at once); a child shard starts only
   * once its parent is read to its end, so an item's changes are always handled in order.
   */
  async function pollOnce(): Promise<void> {
    const description = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const shards = description.StreamDescription?.Shards ?? [];
    const known = new Set(shards.map((shard) => shard.ShardId ?? ''));
    const ready = shards.filter((shard) => {
      const shardId = shard.ShardId ?? '';
      const parent = shard.ParentShardId;
      return !finishedShards.has(shardId) && (!parent || !known.has(parent) || finishedShards.has(parent));
    });
    const results = await Promise.allSettled(ready.map((shard) => pollShard(shard.ShardId ?? '')));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
  }

  const loop = (async () => {
    while (running) {
      try {
        await pollOnce();
      } catch (error) {
        if (running) options.onError(error);
        iterators.clear();
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, options.pollMs ?? 250);
      });
    }
  })();

  return {
    async stop() {
      running = false;
      wake?.();
      await loop;
    },
  };
}
