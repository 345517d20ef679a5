// One simulation worker thread (cli/simulate/pool.ts starts them): runs the simulations it is sent, one
// at a time, on the trace it was given at start.
import { parentPort, workerData } from 'node:worker_threads';
import { runSimulation } from '../../shared/simulation/engine.js';
import { scaleLoad } from '../../shared/simulation/load.js';
import type { TraceTicket } from '../../shared/simulation/types.js';
import type { RunRequest, SimulationInput, WorkerMessage } from '../simulate/pool.js';

const input = workerData as SimulationInput;
const port = parentPort!;
const post = (message: WorkerMessage) => port.postMessage(message);

// Runs arrive grouped by load and seed: the scaled trace of the last one is usually the next one's too.
let scaled: { key: string; tickets: TraceTicket[] } | undefined;

function ticketsFor(load: number, seed: number): TraceTicket[] {
  const key = `${load}:${seed}`;
  if (scaled?.key !== key) scaled = { key, tickets: scaleLoad(input.tickets, input.providers, load, seed) };
  return scaled.tickets;
}

port.on('message', ({ index, run }: RunRequest) => {
  try {
    const tickets = ticketsFor(run.load, run.seed);
    let reported = 0;
    const result = runSimulation({
      tickets,
      providers: input.providers,
      policy: run.policy,
      ...(run.routingPolicy ? { routingPolicy: run.routingPolicy } : {}),
      ...(input.slaPolicy ? { slaPolicy: input.slaPolicy } : {}),
      ...(input.slaPolicies?.length ? { slaPolicies: input.slaPolicies } : {}),
      ...(input.drainMs === undefined ? {} : { drainMs: input.drainMs }),
      seed: run.seed,
      onProgress: (arrived) => {
        // At most a hundred messages a run: the progress bar needs no more.
        const fraction = tickets.length ? arrived / tickets.length : 1;
        if (fraction - reported >= 0.01) {
          reported = fraction;
          post({ type: 'progress', index, fraction });
        }
      },
    });
    post({ type: 'done', index, result });
  } catch (error) {
    post({ type: 'failed', index, message: error instanceof Error ? error.message : String(error) });
  }
});
