import { performance } from 'node:perf_hooks';

/**
 * How long each step of `npm start` took, for the banner: a slow start names
 * its slow step. Steps that run side by side are listed each with its own time.
 */
export class Phases {
  private readonly timings: { name: string; ms: number }[] = [];

  async time<T>(name: string, step: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await step();
    } finally {
      this.record(name, performance.now() - started);
    }
  }

  record(name: string, ms: number): void {
    this.timings.push({ name, ms });
  }

  /** `sqs 0.2s, dynamodb 1.9s, …` in the order the steps finished; steps under 0.05 s are left out. */
  summary(): string {
    return this.timings
      .filter(({ ms }) => ms >= 50)
      .map(({ name, ms }) => `${name} ${(ms / 1000).toFixed(1)}s`)
      .join(', ');
  }
}
