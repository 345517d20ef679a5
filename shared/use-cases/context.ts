import type { RoutingQueue } from '../messaging/routing-queue.js';
import type { Table } from '../store/table.js';

/** What every use case works with. Handlers build it once per cold start; tests build their own. */
export interface AppContext {
  table: Table;
  routingQueue: RoutingQueue;
  /** The only clock: epoch milliseconds. */
  now: () => number;
  /** Signs list cursors (the stage's secret); without it cursors are valid in this process only. */
  cursorSecret?: string;
  /** How many days the access audit trail keeps an entry (default 365). */
  auditRetentionDays?: number;
  /** Intake limits of the stage; without them intake is not limited here. */
  intakeLimits?: IntakeLimits;
}

/** Tickets per second: per source, and over all sources together (the stage's intake cap). */
export interface IntakeLimits {
  perSourcePerSecond: number;
  globalPerSecond: number;
}

export const isoNow = (ctx: AppContext) => new Date(ctx.now()).toISOString();
