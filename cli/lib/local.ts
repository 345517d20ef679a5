// The local platform's table and queues, reached through the endpoints in runtime.json.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { RuntimeFile } from '../../infra/local/runtime-file.js';
import { sqsRoutingQueue } from '../../shared/messaging/routing-queue.js';
import { createDocumentClient } from '../../shared/store/dynamo-client.js';
import type { AppContext } from '../../shared/use-cases/context.js';
import { CliError } from './errors.js';

const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** An SQS client for the local emulator; its queue URLs' host (sqs.us-east-1.localhost) resolves to loopback. */
export async function localSqs(runtime: RuntimeFile): Promise<SQSClient> {
  // Imported here, not at the top: the runtime module pulls in the emulators.
  const { resolveLocalQueueHosts } = await import('../../infra/local/runtime.js');
  resolveLocalQueueHosts();
  return new SQSClient({
    endpoint: runtime.sqsEndpoint,
    region: REGION,
    credentials: CREDENTIALS,
    maxAttempts: 2,
  });
}

export function localDynamo(runtime: RuntimeFile): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: runtime.dynamoEndpoint,
    region: REGION,
    credentials: CREDENTIALS,
    maxAttempts: 2,
  });
}

/** What the shared use cases need, pointed at the local table. */
export function localAppContext(runtime: RuntimeFile, dynamo: DynamoDBClient, sqs: SQSClient): AppContext {
  return {
    table: { db: createDocumentClient(dynamo), name: runtime.tableName },
    routingQueue: sqsRoutingQueue(sqs, runtime.queues.routing.url),
    now: () => Date.now(),
  };
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT']);

/** Runs a call to a local emulator, turning a refused connection into one readable line. */
export async function withLocal<T>(what: string, endpoint: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code =
      (error as NodeJS.ErrnoException).code ??
      ((error as { cause?: NodeJS.ErrnoException }).cause?.code || undefined);
    const name = (error as Error).name;
    if ((code && CONNECTION_CODES.has(code)) || name === 'TimeoutError') {
      throw new CliError(`cannot reach ${what} at ${endpoint} (${code ?? name}): is npm start running?`);
    }
    throw new CliError(`${what}: ${name && name !== 'Error' ? `${name}: ` : ''}${(error as Error).message}`);
  }
}
