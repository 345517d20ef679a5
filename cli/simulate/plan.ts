// A set of simulation runs and how they are carried out: on worker threads, with a progress bar.
import cliProgress from 'cli-progress';
import type { SlaPolicy } from '../../shared/domain/schemas.js';
import type { StoredSlaPolicy } from '../../shared/domain/sla.js';
import type { SimProviderConfig, TraceTicket } from '../../shared/simulation/types.js';
import type { PolicyChoice } from './options.js';
import { runInParallel, type RunOutcome, type RunSpec } from './pool.js';

export interface SimulationPlan {
  tickets: TraceTicket[];
  providers: SimProviderConfig[];
  runs: RunSpec[];
  slaPolicy?: SlaPolicy;
  slaPolicies?: readonly StoredSlaPolicy[];
  drainMs: number;
  workers?: number;
}

/** Every combination, policies outermost, so tables read policy by policy. */
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
        ...(plan.slaPolicies?.length ? { slaPolicies: plan.slaPolicies } : {}),
      },
      plan.runs,
      { onProgress: bar.update, ...(plan.workers ? { workers: plan.workers } : {}) },
    );
  } finally {
    bar.stop();
  }
}
