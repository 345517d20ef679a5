// Where the CLI finds the platform: flags first, then the environment, then
// the runtime.json a running `npm start` writes into its data directory.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { readRuntimeFile, type RuntimeFile } from '../../infra/local/runtime-file.js';
import { CliError } from './errors.js';

export const DEFAULT_URL = 'http://127.0.0.1:3000';
export const DEFAULT_DATA_DIR = '.outroute';

export interface GlobalOptions {
  url?: string;
  key?: string;
  dataDir?: string;
}

export interface Settings {
  url: string;
  /** Where the URL came from, for error messages. */
  urlSource: 'flag' | 'runtime.json' | 'default';
  key: string | undefined;
  dataDir: string;
  runtime: RuntimeFile | undefined;
}

export function settingsOf(command: Command): Settings {
  const options = command.optsWithGlobals<GlobalOptions>();
  const dataDir = resolve(options.dataDir ?? process.env.OUTROUTE_DATA_DIR ?? DEFAULT_DATA_DIR);
  const runtime = readRuntimeFile(dataDir);
  const url = (options.url ?? runtime?.apiUrl ?? DEFAULT_URL).replace(/\/+$/, '');
  return {
    url,
    urlSource: options.url ? 'flag' : runtime?.apiUrl ? 'runtime.json' : 'default',
    key: options.key ?? (process.env.OUTROUTE_ADMIN_KEY || undefined),
    dataDir,
    runtime,
  };
}

export function requireKey(settings: Settings): string {
  if (!settings.key) {
    throw new CliError(
      'no admin key: pass --key or set OUTROUTE_ADMIN_KEY (the key npm start registered or printed at start)',
    );
  }
  return settings.key;
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** runtime.json of a platform running on this machine, for the commands that talk to its table and queues. */
export function requireRuntime(settings: Settings): RuntimeFile {
  const { runtime, dataDir } = settings;
  if (!runtime) {
    throw new CliError(
      `no running platform found in ${dataDir} (no runtime.json): start it with npm start, or pass --data-dir / set OUTROUTE_DATA_DIR`,
    );
  }
  if (runtime.pid && !isRunning(runtime.pid)) {
    throw new CliError(
      `${dataDir}/runtime.json names process ${runtime.pid}, which is not running: the platform stopped without cleaning up; start it again with npm start`,
    );
  }
  return runtime;
}
