// Runs simulations (policy × load × seed) in parallel on worker threads. The trace is parsed once and
// handed to each worker once; every worker scales it to a run's load and seed itself (deterministic, so
// all policies of a load and seed see the same tickets), keeping the last scaled trace for the next run.
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RoutingPolicy, SlaPolicy } from '../../shared/domain/schemas.js';
import type { StoredSlaPolicy } from '../../shared/domain/sla.js';
import type {
  PolicyName,
  SimProviderConfig,
  SimulationResult,
  TraceTicket,
} from '../../shared/simulation/types.js';

/** What every run shares: sent to each worker once, as its workerData. */
export interface SimulationInput {
  tickets: readonly TraceTicket[];
  providers: readonly SimProviderConfig[];
  slaPolicy?: SlaPolicy;
  /** Named SLA policies (business hours, conditions), matched per ticket as production does. */
  slaPolicies?: readonly StoredSlaPolicy[];
  drainMs?: number;
}

export interface RunSpec {
  /** The policy as tables name it: a policy name, or a routing policy file's name. */
  label: string;
  policy: PolicyName;
  routingPolicy?: RoutingPolicy;
  load: number;
  seed: number;
}

export type RunOutcome = SimulationResult & { label: string; load: number };

/** Main thread → worker. */
export interface RunRequest {
  index: number;
  run: RunSpec;
}

/** Worker → main thread. */
export type WorkerMessage =
  | { type: 'progress'; index: number; fraction: number }
  | { type: 'done'; index: number; result: SimulationResult }
  | { type: 'failed'; index: number; message: string };

export interface PoolOptions {
  /** Default: os.availableParallelism(), at most one per run. */
  workers?: number;
  /** Runs finished and the share of all work done (0..1), now and then. */
  onProgress?: (runsDone: number, fractionDone: number) => void;
}

// Beside cli/commands/simulate.ts; the same extension as this file, so it also runs once compiled to JS.
const WORKER_URL = new URL(
  `../commands/simulate-worker${extname(fileURLToPath(import.meta.url))}`,
  import.meta.url,
);

function startWorker(input: SimulationInput): Worker {
  const typeScript = WORKER_URL.pathname.endsWith('.ts');
  // A worker starts a fresh module loader: TypeScript needs tsx's loader registered there too.
  return new Worker(WORKER_URL, {
    workerData: input,
    ...(typeScript ? { execArgv: ['--import', import.meta.resolve('tsx')] } : {}),
  });
}

export function runInParallel(
  input: SimulationInput,
  runs: readonly RunSpec[],
  options: PoolOptions = {},
): Promise<RunOutcome[]> {
  const results: RunOutcome[] = new Array(runs.length);
  if (!runs.length) return Promise.resolve(results);
  // Highest load first (the longest runs), and runs of one load and seed in a row for the worker's cache.
  const order = runs
    .map((run, index) => ({ run, index }))
    .sort((a, b) => b.run.load - a.run.load || a.run.seed - b.run.seed);
  const fractions = new Float64Array(runs.length);
  let next = 0;
  let done = 0;
  const workers: Worker[] = [];
  const report = () =>
    options.onProgress?.(done, fractions.reduce((sum, value) => sum + value, 0) / runs.length);

  return new Promise<RunOutcome[]>((resolve, reject) => {
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      for (const worker of workers) void worker.terminate();
      reject(error);
    };
    const retired = new Set<Worker>();
    const feed = (worker: Worker) => {
      const item = order[next++];
      if (item) worker.postMessage({ index: item.index, run: item.run } satisfies RunRequest);
      else {
        retired.add(worker);
        void worker.terminate();
      }
    };
    const count = Math.max(1, Math.min(options.workers ?? availableParallelism(), runs.length));
    for (let i = 0; i < count; i++) {
      const worker = startWorker(input);
      workers.push(worker);
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'progress') {
          fractions[message.index] = message.fraction;
          report();
        } else if (message.type === 'failed') {
          const run = runs[message.index]!;
          fail(new Error(`${run.label} at load ${run.load}, seed ${run.seed}: ${message.message}`));
        } else {
          const run = runs[message.index]!;
          results[message.index] = { ...message.result, label: run.label, load: run.load };
          fractions[message.index] = 1;
          done++;
          report();
          if (done === runs.length) {
            settled = true;
            resolve(results);
          }
          feed(worker);
        }
      });
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (!settled && !retired.has(worker))
          fail(new Error(`a simulation worker stopped with exit code ${code}`));
      });
      feed(worker);
    }
  });
}
