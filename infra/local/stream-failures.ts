// The local counterpart of the stream event source's S3 on-failure destination:
// a batch the stream consumer gave up on is kept as one JSON file, in the shape
// AWS writes to the bucket (invocation record with the batch payload), so
// `outroute dlq stream list | redrive` reads and replays it.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBStreamEvent } from 'aws-lambda';

export interface StreamFailure {
  version: '1.0';
  timestamp: string;
  requestContext: {
    condition: 'RetryAttemptsExhausted';
    approximateInvokeCount: number;
    functionArn: string;
  };
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    streamArn: string;
    batchSize: number;
  };
  /** The event the function was invoked with (JSON text, as in AWS's S3 records). */
  payload: string;
}

export const streamFailuresDir = (dataDir: string) => join(dataDir, 'stream-failures');

export function keepStreamFailure(
  dir: string,
  event: DynamoDBStreamEvent,
  info: { shardId: string; streamArn: string; functionName: string; attempts: number },
): string {
  mkdirSync(dir, { recursive: true });
  const sequence = (index: number) => event.Records.at(index)?.dynamodb?.SequenceNumber ?? '';
  const failure: StreamFailure = {
    version: '1.0',
    timestamp: new Date().toISOString(),
    requestContext: {
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: info.attempts,
      functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${info.functionName}`,
    },
    DDBStreamBatchInfo: {
      shardId: info.shardId,
      startSequenceNumber: sequence(0),
      endSequenceNumber: sequence(-1),
      streamArn: info.streamArn,
      batchSize: event.Records.length,
    },
    payload: JSON.stringify(event),
  };
  const file = join(dir, `${failure.timestamp.replaceAll(':', '-')}-${info.shardId}-${sequence(0)}.json`);
  writeFileSync(file, `${JSON.stringify(failure, null, 2)}\n`);
  return file;
}

export function listStreamFailures(dir: string): { file: string; failure: StreamFailure }[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  return names.sort().map((name) => ({
    file: join(dir, name),
    failure: JSON.parse(readFileSync(join(dir, name), 'utf8')) as StreamFailure,
  }));
}

export const removeStreamFailure = (file: string) => rmSync(file, { force: true });
