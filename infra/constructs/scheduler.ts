// The sweeper, invoked every minute by EventBridge Scheduler: expired leases,
// parked and lost tickets, SLA at-risk and breach (shared/use-cases/sweep.ts).
import { Duration } from 'aws-cdk-lib';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { type FunctionContext, OutrouteFunction } from './outroute-function.js';

/** Seconds between sweeps within one scheduled invocation. */
export const SWEEP_PASS_SECONDS = 10;

export class Sweeper extends Construct {
  readonly sweep: OutrouteFunction;
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, context: FunctionContext) {
    super(scope, id);
    this.sweep = new OutrouteFunction(this, 'Sweep', {
      ...context,
      entry: 'schedule/sweep',
      // Below the one-minute period, so runs rarely overlap (overlap is safe: every change is conditional).
      timeout: Duration.seconds(55),
      reservedConcurrency: context.config.reservedConcurrency.sweep,
      // Several passes per invocation, 10 s apart: sub-minute timers (lease expiry, retries, at-risk)
      // land within seconds in AWS too, as they do locally.
      environment: { SWEEP_PASS_SECONDS: String(SWEEP_PASS_SECONDS) },
    });
    // Scheduler invokes asynchronously: no Lambda-side retries either, the next run is a minute away.
    this.sweep.fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    this.schedule = new Schedule(this, 'Schedule', {
      scheduleName: `${context.config.prefix}-sweep`,
      description: 'Outroute sweeper',
      schedule: ScheduleExpression.rate(Duration.minutes(1)),
      // No retries: a missed run is covered by the next one a minute later.
      target: new LambdaInvoke(this.sweep.fn, { retryAttempts: 0, maxEventAge: Duration.minutes(1) }),
    });
  }
}
