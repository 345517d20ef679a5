// simulate: replay a trace of work items through routing policies at stated loads, in virtual time.
import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { plural } from '../lib/output.js';
import { readProvidersFile, readTraceFile } from '../simulate/inputs.js';
import { columnMap, numberList, policyChoices, priorityMix, slaPolicyFile } from '../simulate/options.js';
import { runSpecs, simulatePlan } from '../simulate/plan.js';
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
      const { providers, slaPolicies } = await readProvidersFile(options.providers);
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
        slaPolicies,
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
