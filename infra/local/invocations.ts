// Each function invocation the local runtime makes is published on a
// diagnostics channel, so a benchmark can count invocations and their
// durations per function (Lambda's requests and GB-seconds). Without a
// subscriber, publishing costs nothing.
import { channel } from 'node:diagnostics_channel';
import { invocationScope } from '../../shared/store/request-log.js';

export interface Invocation {
  /** The function as Lambda names it: `http/create-ticket`, `auth/authorize`, `queue/route-tickets`, … */
  functionName: string;
  /** Records in the event (1 for HTTP and scheduled invocations). */
  records: number;
  durationMs: number;
}

export const INVOCATION_CHANNEL = 'outroute.local.invocation';
const invocations = channel(INVOCATION_CHANNEL);

/** Runs one invocation and reports it. */
export async function invoked<T>(functionName: string, records: number, run: () => Promise<T>): Promise<T> {
  if (!invocations.hasSubscribers) return run();
  const started = performance.now();
  try {
    // Lets the request log (OUTROUTE_WRITE_LOG) say which function sent each request.
    return await invocationScope.run(functionName, run);
  } finally {
    invocations.publish({
      functionName,
      records,
      durationMs: performance.now() - started,
    } satisfies Invocation);
  }
}
