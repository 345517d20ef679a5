// Simulation results as the operator reads them: one row per policy and load (mean over seeds) or per
// run, as a text table, and as the JSON file of --json.
import { PRIORITIES } from '../../shared/domain/schemas.js';
import type { Priority } from '../../shared/domain/types.js';
import { fixed, percent, table } from '../lib/output.js';
import type { RunOutcome } from './pool.js';

/** A row of the table: one run, or the mean of a policy's runs at one load. */
export interface SummaryRow {
  label: string;
  load: number;
  seeds: number[];
  tickets: number;
  onTime: number;
  /** On-time fraction per priority; NaN when no ticket had that priority. */
  byPriority: Record<Priority, number>;
  costPerTicket: number;
  unfinished: number;
  lost: number;
  rebalanced: number;
}

const fractionOf = (count: { tickets: number; onTime: number }) =>
  count.tickets ? count.onTime / count.tickets : Number.NaN;

function mean(values: number[]): number {
  const known = values.filter((value) => !Number.isNaN(value));
  return known.length ? known.reduce((sum, value) => sum + value, 0) / known.length : Number.NaN;
}

export function runRow(run: RunOutcome): SummaryRow {
  return {
    label: run.label,
    load: run.load,
    seeds: [run.seed],
    tickets: run.tickets,
    onTime: run.onTime,
    byPriority: Object.fromEntries(
      PRIORITIES.map((priority) => [priority, fractionOf(run.byPriority[priority])]),
    ) as Record<Priority, number>,
    costPerTicket: run.costPerTicket,
    unfinished: run.unfinished,
    lost: run.lost,
    rebalanced: run.rebalanced,
  };
}

/** Runs grouped by policy and load, in the order they first appear; numbers are means over the seeds. */
export function meanRows(runs: readonly RunOutcome[]): SummaryRow[] {
  const groups = new Map<string, SummaryRow[]>();
  for (const run of runs) {
    const key = `${run.label}\u0000${run.load}`;
    groups.set(key, [...(groups.get(key) ?? []), runRow(run)]);
  }
  return [...groups.values()].map((rows) => ({
    label: rows[0]!.label,
    load: rows[0]!.load,
    seeds: rows.map((row) => row.seeds[0]!),
    tickets: mean(rows.map((row) => row.tickets)),
    onTime: mean(rows.map((row) => row.onTime)),
    byPriority: Object.fromEntries(
      PRIORITIES.map((priority) => [priority, mean(rows.map((row) => row.byPriority[priority]))]),
    ) as Record<Priority, number>,
    costPerTicket: mean(rows.map((row) => row.costPerTicket)),
    unfinished: mean(rows.map((row) => row.unfinished)),
    lost: mean(rows.map((row) => row.lost)),
    rebalanced: mean(rows.map((row) => row.rebalanced)),
  }));
}

const shown = (value: number, format: (value: number) => string) =>
  Number.isNaN(value) ? '-' : format(value);
const seedsCell = (seeds: number[]) => (seeds.length === 1 ? String(seeds[0]) : `mean of ${seeds.length}`);
const count = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));

export function summaryTable(rows: readonly SummaryRow[]): string {
  return table(
    [
      'policy',
      'load',
      'seed',
      'tickets',
      'on time',
      'P1',
      'P2',
      'P3',
      'P4',
      'cost/ticket',
      'unfinished',
      'lost',
      'rebalanced',
    ],
    rows.map((row) => [
      row.label,
      `${Math.round(row.load * 100)}%`,
      seedsCell(row.seeds),
      count(Math.round(row.tickets)),
      percent(row.onTime),
      ...PRIORITIES.map((priority) => shown(row.byPriority[priority], percent)),
      shown(row.costPerTicket, (value) => fixed(value)),
      percent(row.unfinished),
      count(row.lost),
      count(row.rebalanced),
    ]),
    { right: [1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] },
  );
}

/** The --json file: every run, fractions 0..1, plus the series the report draws. */
export function resultsJson(runs: readonly RunOutcome[]): string {
  return `${JSON.stringify(
    {
      runs: runs.map(({ label, policy, load, seed, ...result }) => ({
        policy: label,
        ...(label === policy ? {} : { basePolicy: policy }),
        load,
        seed,
        ...result,
      })),
    },
    null,
    2,
  )}\n`;
}
