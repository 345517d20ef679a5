// Intake limits per stage: the CDK stack passes them to the functions, and
// the local runtime uses the dev stage's unless told otherwise, so a laptop
// throttles as AWS does.

/** Tickets per second: per source (one key's system), and the stage's cap over all sources. */
export interface IntakeRates {
  perSourcePerSecond: number;
  globalPerSecond: number;
}

export const INTAKE_RATES = {
  dev: { perSourcePerSecond: 100, globalPerSecond: 500 },
  prod: { perSourcePerSecond: 200, globalPerSecond: 2000 },
} as const satisfies Record<'dev' | 'prod', IntakeRates>;
