import { setTimeout as sleep } from 'node:timers/promises';

/** Retry `attempt` until it resolves or `timeoutMs` passes; the last error explains the failure. */
export async function waitUntil(
  attempt: () => Promise<unknown>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await attempt();
      return;
    } catch (error) {
      if (Date.now() > deadline || (error as Error).message.includes('exited')) throw error;
      await sleep(intervalMs);
    }
  }
}
