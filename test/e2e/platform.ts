// Starts `npm start` as a child process, exactly as a user would, on a free
// port and a fresh data directory, and stops it cleanly.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../infra/local/free-port.js';
import { waitUntil } from '../../infra/local/wait.js';

export interface Platform {
  url: string;
  adminKey: string;
  dataDir: string;
  /** Everything the child printed so far. */
  output: () => string;
  /** Milliseconds from spawn to a healthy /health. */
  startupMs: number;
  stop(): Promise<number | null>;
  /** SIGKILL to the whole process group (DynamoDB Local's JVM included), as a crash would. Resolves once it has exited. */
  kill(): Promise<void>;
  /** Starts it again on the same data directory and port. */
  restart(): Promise<void>;
}

export async function startPlatform(env: Record<string, string> = {}): Promise<Platform> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'outroute-e2e-'));
  const adminKey = `e2e-admin-${port}-key-long-enough`;
  let child: ChildProcess;
  let output = '';

  const launch = async () => {
    const started = Date.now();
    child = spawn('npm', ['start'], {
      env: {
        ...process.env,
        PORT: String(port),
        OUTROUTE_DATA_DIR: dataDir,
        OUTROUTE_ADMIN_KEY: adminKey,
        OUTROUTE_SWEEP_SECONDS: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    await waitUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`npm start exited ${child.exitCode}: ${output}`);
        const response = await fetch(`http://127.0.0.1:${port}/health`);
        if (response.status !== 200) throw new Error(`health ${response.status}`);
        if (!output.includes('Outroute is running')) throw new Error('not ready');
      },
      90_000,
      200,
    );
    return Date.now() - started;
  };

  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), signal);
    } catch {
      // the group is already gone
    }
  };
  /** Ctrl-C, as in a terminal: SIGINT to the whole process group. Resolves once it has exited. */
  const stop = () =>
    new Promise<number | null>((resolve) => {
      if (exited()) return resolve(child.exitCode);
      child.once('exit', (code) => resolve(code));
      signalGroup('SIGINT');
      setTimeout(() => exited() || signalGroup('SIGKILL'), 15_000).unref();
    });

  const kill = () =>
    new Promise<void>((resolve) => {
      if (exited()) return resolve();
      child.once('exit', () => resolve());
      signalGroup('SIGKILL');
    });

  const startupMs = await launch();
  return {
    url: `http://127.0.0.1:${port}`,
    adminKey,
    dataDir,
    output: () => output,
    startupMs,
    stop,
    kill,
    async restart() {
      await stop();
      await launch();
    },
  };
}

/** fetch with a key and JSON, returning status and parsed body. */
export async function api(
  platform: Platform,
  method: string,
  path: string,
  options: { key?: string; body?: unknown } = {},
) {
  const response = await fetch(`${platform.url}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${options.key ?? platform.adminKey}`,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}
