// Routing quality benchmark: the simulator on a real trace (NYC 311 animal complaints, early 2025) with five
// providers in five time zones (bench/scenarios/five-zones.yaml), every policy at 70 / 90 / 110 % of weekly
// capacity, seeds 1-3. Writes bench/results/quality.md and quality.json. Run: npm run bench:quality
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import YAML from 'yaml';
import { PRIORITIES } from '../shared/domain/schemas.js';
import { POLICY_NAMES } from '../shared/simulation/types.js';
import { readProvidersFile, readTraceFile } from '../cli/simulate/inputs.js';
import { runSpecs, simulatePlan } from '../cli/simulate/plan.js';
import { meanRows, resultsJson, type SummaryRow } from '../cli/simulate/summary.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// The shared traces lie beside the repository (in CI too: a copy of shared/ next to the clone).
const DATA_DIR = join(ROOT, '..', 'shared', 'data');
const RESULTS_DIR = join(ROOT, 'bench/results');
const DAY_MS = 86_400_000;

const scenarioSchema = z.strictObject({
  title: z.string().default('five providers, five time zones'),
  trace: z.strictObject({
    file: z.string(),
    tz: z.string(),
    map: z.record(z.string(), z.string()),
    priorityMix: z.strictObject({ P1: z.number(), P2: z.number(), P3: z.number(), P4: z.number() }),
  }),
  providers: z.string(),
  policies: z.array(z.enum(POLICY_NAMES)),
  loads: z.array(z.number().positive()),
  seeds: z.array(z.number().int()),
  drainDays: z.number().min(0),
});

// A scenario named on the command line (a file in bench/scenarios/), else every scenario below in turn.
const SCENARIOS = process.argv[2] ? [process.argv[2]] : ['five-zones.yaml', 'five-zones-business-hours.yaml'];

for (const scenarioFile of SCENARIOS) await runScenario(scenarioFile);

async function runScenario(scenarioFile: string): Promise<void> {
  const SCENARIO = join(ROOT, 'bench/scenarios', scenarioFile);
  const name = scenarioFile.replace(/\.ya?ml$/, '');
  const resultsName = name === 'five-zones' ? 'quality' : `quality-${name.replace(/^five-zones-/, '')}`;
  const scenario = scenarioSchema.parse(YAML.parse(readFileSync(SCENARIO, 'utf8')));
  const traceFile = join(DATA_DIR, scenario.trace.file);
  const tickets = await readTraceFile(traceFile, {
    tz: scenario.trace.tz,
    map: scenario.trace.map,
    priorityMix: scenario.trace.priorityMix,
    seed: 1,
  });
  const { providers, slaPolicies } = await readProvidersFile(join(dirname(SCENARIO), scenario.providers));
  const runs = runSpecs(
    scenario.policies.map((policy) => ({ label: policy, policy })),
    scenario.loads,
    scenario.seeds,
  );

  console.log(
    `${tickets.length} tickets, ${providers.length} providers, ${runs.length} runs on ${availableParallelism()} threads`,
  );
  const started = performance.now();
  const outcomes = await simulatePlan({
    tickets,
    providers,
    slaPolicies,
    runs,
    drainMs: scenario.drainDays * DAY_MS,
  });
  const wallSeconds = (performance.now() - started) / 1000;

  const percent = (value: number) => (Number.isNaN(value) ? '–' : `${(value * 100).toFixed(1)} %`);
  const byLoadThenPolicy = (rows: SummaryRow[]) =>
    [...rows].sort(
      (a, b) =>
        a.load - b.load ||
        scenario.policies.indexOf(a.label as never) - scenario.policies.indexOf(b.label as never),
    );
  const rows = byLoadThenPolicy(meanRows(outcomes));
  const header = ['load', 'policy', 'tickets', 'on time', 'P1', 'P2', 'cost/ticket', 'unfinished'];
  const cells = rows.map((row) => [
    `${Math.round(row.load * 100)} %`,
    row.label,
    String(Math.round(row.tickets)),
    percent(row.onTime),
    percent(row.byPriority.P1),
    percent(row.byPriority.P2),
    row.costPerTicket.toFixed(2),
    percent(row.unfinished),
  ]);
  const markdown = [
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, column) => (column < 2 ? '---' : '---:')).join(' | ')} |`,
    ...cells.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');

  const runAt = new Date().toISOString();
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(
    join(RESULTS_DIR, `${resultsName}.md`),
    `# Routing quality: ${scenario.title}

Trace: \`${scenario.trace.file}\` (${tickets.length} tickets, priorities drawn ${PRIORITIES.map((p) => `${p} ${scenario.trace.priorityMix[p] * 100} %`).join(', ')}),
scaled to each load of the providers' weekly open-hour capacity; scenario \`bench/scenarios/${scenarioFile}\`${slaPolicies.length ? ` with ${slaPolicies.length} SLA policies (${slaPolicies.map((policy) => policy.policyId).join(', ')})` : ''}.
Mean over seeds ${scenario.seeds.join(', ')}. On time counts unfinished tickets as late; cost per completed ticket.

${markdown}

${runs.length} runs in ${wallSeconds.toFixed(0)} s on ${availableParallelism()} threads (${cpu}, Node ${process.version}), ${runAt}.
`,
  );
  writeFileSync(join(RESULTS_DIR, `${resultsName}.json`), resultsJson(outcomes));
  console.log(
    `\n${markdown}\n\n${runs.length} runs in ${wallSeconds.toFixed(1)} s; written to bench/results/${resultsName}.md and .json`,
  );
}
