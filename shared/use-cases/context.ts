import type { RoutingQueue } from '../messaging/routing-queue.js';
import type { Table } from '../store/table.js';

/** What every use case works with. Handlers build it once per cold start; tests build their own. */
export interface AppContext {
  table: Table;
  routingQueue: RoutingQueue;
  /** The only clock: epoch milliseconds. */
  now: () => number;
}

export const isoNow = (ctx: AppContext) => new Date(ctx.now()).toISOString();
