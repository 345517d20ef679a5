// A stream batch the consumer gives up on is kept (as AWS's S3 on-failure
// destination keeps it), listed, and replayed.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  listStreamFailures,
  removeStreamFailure,
  streamFailuresDir,
} from '../../infra/local/stream-failures.js';
import { startStreamPoller } from '../../infra/local/stream-poller.js';
import { waitUntil } from '../../infra/local/wait.js';
import { createDocumentClient } from '../../shared/store/dynamo-client.js';
import { uniqueId } from '../fixtures/entities.js';

const pkOf = (record: DynamoDBStreamEvent['Records'][number]) =>
  String(unmarshall((record.dynamodb?.Keys ?? {}) as never).pk);

describe('stream failures', () => {
  it('keeps a batch that exhausted its retries with its records, and a replay that works removes it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'outroute-stream-failures-'));
    const poison = `POISON#${uniqueId('p')}`;
    const handled: string[] = [];
    const failing = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
      handled.push(...event.Records.map(pkOf));
      const bad = event.Records.find((record) => pkOf(record) === poison);
      return { batchItemFailures: bad ? [{ itemIdentifier: bad.dynamodb?.SequenceNumber ?? '' }] : [] };
    };
    const poller = startStreamPoller({
      streams: new DynamoDBStreamsClient({}),
      streamArn: process.env.OUTROUTE_TEST_STREAM_ARN ?? '',
      functionName: 'process-changes',
      handler: async () => failing as never,
      checkpointFile: join(dataDir, 'stream-checkpoints.json'),
      pollMs: 100,
      onError: () => undefined,
    });
    const client = new DynamoDBClient({});
    try {
      await createDocumentClient(client).send(
        new PutCommand({ TableName: process.env.TABLE_NAME, Item: { pk: poison, sk: 'X', entity: 'test' } }),
      );
      await waitUntil(async () => {
        if (!listStreamFailures(streamFailuresDir(dataDir)).length) throw new Error('nothing kept yet');
      }, 60_000);
    } finally {
      await poller.stop();
      client.destroy();
    }
    const [kept] = listStreamFailures(streamFailuresDir(dataDir));
    const event = JSON.parse(kept!.failure.payload) as DynamoDBStreamEvent;
    expect(kept!.failure.requestContext.condition).toBe('RetryAttemptsExhausted');
    expect(event.Records.map(pkOf)).toContain(poison);
    expect(kept!.failure.DDBStreamBatchInfo.startSequenceNumber).toBe(
      event.Records[0]?.dynamodb?.SequenceNumber,
    );

    // The redrive (outroute dlq stream redrive) replays the payload; once it works, the batch goes.
    const replayed: string[] = [];
    const fixed = async (replay: DynamoDBStreamEvent) => {
      replayed.push(...replay.Records.map(pkOf));
      return { batchItemFailures: [] };
    };
    const response = await fixed(event);
    if (!response.batchItemFailures.length) removeStreamFailure(kept!.file);
    expect(replayed).toContain(poison);
    expect(listStreamFailures(streamFailuresDir(dataDir))).toStrictEqual([]);
  });
});
