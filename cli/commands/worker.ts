// outroute worker: works a provider's queue with the worker kit of
// @outroute/client, running a command per item with the item's JSON on stdin.
// Exit 0 completes the item (the last line of stdout, if any, is the
// resolution); exit 2 rejects it (the last line of stderr is the reason); any
// other exit releases it back to routing.
import { spawn } from 'node:child_process';
import { createWorker, RejectError, type WorkItem } from '@outroute/client';
import { Command } from 'commander';
import { providerIdSchema } from '../../shared/domain/schemas.js';
import { CliError } from '../lib/errors.js';
import { settingsOf } from '../lib/settings.js';

export const REJECT_EXIT_CODE = 2;

interface WorkerCliOptions {
  provider: string;
  exec: string;
  concurrency: string;
  leaseSeconds: string;
  providerKey?: string;
}

const lastLine = (text: string) => text.trim().split('\n').at(-1)?.trim() ?? '';

/** Runs `command` (through the shell) with the item on stdin. */
export function runItemCommand(command: string, item: WorkItem, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, { shell: true, stdio: ['pipe', 'pipe', 'pipe'], signal });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      process.stderr.write(chunk);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(lastLine(stdout).slice(0, 2000));
      else if (code === REJECT_EXIT_CODE)
        reject(new RejectError(lastLine(stderr) || 'rejected by the handler'));
      else reject(new Error(lastLine(stderr) || `${command} exited ${code}`));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(`${JSON.stringify(item)}\n`);
  });
}

export function workerCommand(): Command {
  return new Command('worker')
    .description("work a provider's queue: lease, run a command per item (item JSON on stdin), complete")
    .requiredOption('--provider <providerId>', 'the provider whose queue to work')
    .requiredOption(
      '--exec <command>',
      'run per item; exit 0 completes, exit 2 rejects, anything else releases',
    )
    .option('--concurrency <n>', 'items worked at once', '1')
    .option('--lease-seconds <n>', 'lease length, renewed while the command runs', '300')
    .option(
      '--provider-key <key>',
      "the provider's API key (default: $OUTROUTE_PROVIDER_KEY, else the admin key)",
    )
    .action(async (options: WorkerCliOptions, command: Command) => {
      const settings = settingsOf(command);
      const providerId = providerIdSchema.safeParse(options.provider);
      if (!providerId.success) throw new CliError(`--provider: ${providerId.error.issues[0]?.message}`);
      const key = options.providerKey ?? process.env.OUTROUTE_PROVIDER_KEY ?? settings.key;
      if (!key) throw new CliError('no key: pass --provider-key or set OUTROUTE_PROVIDER_KEY');
      const worker = createWorker({
        url: settings.url,
        key,
        providerId: providerId.data,
        concurrency: Number(options.concurrency),
        leaseSeconds: Number(options.leaseSeconds),
        onError: (error, item) =>
          console.error(
            `outroute worker: ${item ? `${item.ticketId}: ` : ''}${(error as Error).message ?? error}`,
          ),
        handle: (item, { signal }) => runItemCommand(options.exec, item, signal),
      });
      console.error(
        `outroute worker: working ${providerId.data} at ${settings.url} (Ctrl-C or SIGTERM stops)`,
      );
      await worker.done;
      const { leased, completed, rejected, released } = worker.stats;
      console.error(
        `outroute worker: stopped (${leased} leased, ${completed} completed, ${rejected} rejected, ${released} released)`,
      );
    });
}
