// simulate: replay a trace of work items through routing policies at stated loads, in virtual time.
import { readFile, writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import cliProgress from 'cli-progress';
import { providerInputSchema, type SlaPolicy } from '../../shared/domain/schemas.js';
import type { Priority } from '../../shared/domain/types.js';
import { parseTrace, TraceError, type TraceField } from '../../shared/simulation/trace.js';
import type { SimProviderConfig, TraceTicket } from '../../shared/simulation/types.js';
import { CliError } from '../lib/errors.js';
import { plural } from '../lib/output.js';
import { parseProvidersFile } from './providers.js';
import {
  columnMap,
  numberList,
  policyChoices,
  priorityMix,
  slaPolicyFile,
  type PolicyChoice,
} from '../simulate/options.js';
import { runInParallel, type RunOutcome, type RunSpec } from '../simulate/pool.js';
import { renderReport } from '../simulate/report.js';
import { meanRows, resultsJson, runRow, summaryTable } from '../simulate/summary.js';

const DAY_MS = 86_400_000;

interface SimulateOptions {
  trace: string;
  providers: string;
  policy?: string[];
  load: string;
  seeds: string;
  tz: string;
  map?: string;
  priorityMix?: string;
  prioritySeed: string;
  sla?: string;
  out?: string;
  json?: string;
  drainDays: string;
  perSeed?: boolean;
  workers?: string;
}

async function readText(file: string, option: string): Promise<string> {
  return readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new CliError(`${option}: cannot read ${file}: ${error.code ?? error.message}`);
  });
}

export interface TraceFileOptions {
  tz?: string;
  map?: Partial<Record<TraceField, string>>;
  priorityMix?: Record<Priority, number>;
  seed?: number;
}

/** A trace file's tickets; an unreadable one is one CLI error line that names the file. */
export async function readTraceFile(file: string, options: TraceFileOptions): Promise<TraceTicket[]> {
  const text = await readText(file, '--trace');
  try {
    const tickets = parseTrace(text, options);
    if (!tickets.length) throw new CliError(`${file}: the trace has no tickets`);
    return tickets;
  } catch (error) {
    if (error instanceof TraceError) throw new CliError(`${file}: ${error.message}`);
    throw error;
  }
}

/** The providers of an `outroute providers import` file, as the simulator takes them. */
export async function readProvidersFile(file: string): Promise<SimProviderConfig[]> {
  const text = await readText(file, '--providers');
  let entries: ReturnType<typeof parseProvidersFile>;
  try {
    entries = parseProvidersFile(text, file);
  } catch (error) {
    // The import's message lists one problem a line and says nothing was sent: here, one line.
    if (!(error instanceof CliError)) throw error;
    const [first = '', ...problems] = error.message.split('\n');
    const head = first.replace(/, nothing was sent:$/, ':');
    throw new CliError([head, problems.map((line) => line.trim()).join('; ')].filter(Boolean).join(' '));
  }
  // Already validated; parsing again fills in the schema's defaults (cost, quality).
  return entries.map((entry) => ({ providerId: entry.providerId, ...providerInputSchema.parse(entry.body) }));
}

/** Every combination, policies outermost, so the table reads policy by policy. */
export function runSpecs(policies: PolicyChoice[], loads: number[], seeds: number[]): RunSpec[] {
  return policies.flatMap((choice) =>
    loads.flatMap((load) => seeds.map((seed) => ({ ...choice, load, seed }))),
  );
}

/** A progress bar on stderr while the runs go; nothing when stderr is not a terminal. */
function progressBar(runs: number) {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format:
        'simulating [{bar}] {percentage}% | {done}/{runs} runs | {duration_formatted}, ETA {eta_formatted}',
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1000, 0, { done: 0, runs });
  return {
    update: (done: number, fraction: number) => bar.update(Math.round(fraction * 1000), { done, runs }),
    stop: () => bar.stop(),
  };
}

export interface SimulationPlan {
  tickets: TraceTicket[];
  providers: SimProviderConfig[];
  runs: RunSpec[];
  slaPolicy?: SlaPolicy;
  drainMs: number;
  workers?: number;
}

/** Runs the plan on worker threads with a progress bar; the outcomes in the plan's order. */
export async function simulatePlan(plan: SimulationPlan): Promise<RunOutcome[]> {
  const bar = progressBar(plan.runs.length);
  try {
    return await runInParallel(
      {
        tickets: plan.tickets,
        providers: plan.providers,
        drainMs: plan.drainMs,
        ...(plan.slaPolicy ? { slaPolicy: plan.slaPolicy } : {}),
      },
      plan.runs,
      { onProgress: bar.update, ...(plan.workers ? { workers: plan.workers } : {}) },
    );
  } finally {
    bar.stop();
  }
}

export function simulateCommand(): Command {
  return new Command('simulate')
    .description(
      'replay a trace (CSV) through routing policies at loads relative to the providers’ weekly capacity, offline',
    )
    .requiredOption('--trace <csv>', 'the trace: one work item a row (columns createdAt, skill, priority, …)')
    .requiredOption('--providers <file>', 'providers as `outroute providers import` reads them (.json/.yaml)')
    .option(
      '--policy <policy...>',
      'policies to compare: outroute, legacy, round-robin, least-loaded, cheapest, earliest-completion, or a routing policy .json file (default: all six)',
    )
    .option(
      '--load <loads>',
      'offered load as a share of weekly open-hour capacity, comma-separated',
      '0.7,0.9,1.1',
    )
    .option('--seeds <seeds>', 'random seeds, comma-separated', '1,2,3')
    .option('--tz <zone>', 'time zone of date-times without an offset in the trace', 'UTC')
    .option(
      '--map <columns>',
      'the trace’s column names, e.g. createdAt="Created Date",skill="Complaint Type"',
    )
    .option('--priority-mix <shares>', 'priorities for rows without one, e.g. P1=0.05,P2=0.15,P3=0.4,P4=0.4')
    .option('--priority-seed <n>', 'seed of the priorities drawn from the mix', '1')
    .option('--sla <file>', 'an SLA policy .json file (targets in seconds per priority, atRiskFraction)')
    .option('--drain-days <days>', 'days the providers keep working after the last arrival', '7')
    .option('--out <file>', 'write an HTML report')
    .option('--json <file>', 'write every run as JSON')
    .option('--per-seed', 'a table row for every seed instead of the mean over seeds')
    .option('--workers <n>', 'worker threads (default: available parallelism)')
    .action(async (options: SimulateOptions) => {
      const positive = (value: number) => Number.isFinite(value) && value > 0;
      const loads = numberList(options.load, '--load', positive);
      const seeds = numberList(options.seeds, '--seeds', Number.isSafeInteger);
      const [drainDays] = numberList(options.drainDays, '--drain-days', (value) => value >= 0);
      const [prioritySeed] = numberList(options.prioritySeed, '--priority-seed', Number.isSafeInteger);
      const workers = options.workers
        ? numberList(options.workers, '--workers', Number.isSafeInteger)[0]
        : undefined;
      const policies = await policyChoices(options.policy);
      const slaPolicy = options.sla ? await slaPolicyFile(options.sla) : undefined;
      const providers = await readProvidersFile(options.providers);
      const tickets = await readTraceFile(options.trace, {
        tz: options.tz,
        ...(options.map ? { map: columnMap(options.map) } : {}),
        ...(options.priorityMix ? { priorityMix: priorityMix(options.priorityMix) } : {}),
        seed: prioritySeed!,
      });

      const runs = runSpecs(policies, loads, seeds);
      process.stderr.write(
        `${plural(tickets.length, 'ticket')} from ${options.trace}, ${plural(providers.length, 'provider')}: ${plural(runs.length, 'run')}\n`,
      );
      const started = performance.now();
      const outcomes = await simulatePlan({
        tickets,
        providers,
        runs,
        drainMs: drainDays! * DAY_MS,
        ...(slaPolicy ? { slaPolicy } : {}),
        ...(workers ? { workers } : {}),
      });
      const rows = options.perSeed ? outcomes.map(runRow) : meanRows(outcomes);
      console.log(summaryTable(rows));
      process.stderr.write(
        `\n${plural(runs.length, 'run')} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
      );

      if (options.json) {
        await writeFile(options.json, resultsJson(outcomes));
        process.stderr.write(`wrote ${options.json}\n`);
      }
      if (options.out) {
        await writeFile(
          options.out,
          await renderReport(outcomes, { trace: options.trace, providers, tickets: tickets.length }),
        );
        process.stderr.write(`wrote ${options.out}\n`);
      }
    });
}
