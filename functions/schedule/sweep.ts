import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { backfillKeyIdsOnce } from '../../shared/use-cases/backfill-key-ids.js';
import { closeEndedPeriods } from '../../shared/use-cases/contracts.js';
import { sweep } from '../../shared/use-cases/sweep.js';
import { appContext } from '../lib/app-context.js';
import { env } from '../lib/env.js';
import { logger, observed } from '../lib/observability.js';

/** Time a pass needs at least before another one is started. */
const PASS_RESERVE_MS = 15_000;

/** Time an invocation gives the key-id backfill (a slice of the table's scan) while it is not done. */
const KEY_ID_BACKFILL_SLICE_MS = 5_000;

/** Set once the backfill reports the table done: a warm instance does not read its marker again. */
let keyIdsBackfilled = false;

/**
 * Keys stored before keys had ids (issue 11) get one: a slice a minute until the table is scanned,
 * then never again (shared/use-cases/backfill-key-ids.ts says why here).
 */
async function backfillKeyIds(): Promise<void> {
  if (keyIdsBackfilled) return;
  try {
    const report = await backfillKeyIdsOnce(appContext().table, { budgetMs: KEY_ID_BACKFILL_SLICE_MS });
    keyIdsBackfilled = report.done;
    if (report.assigned.length)
      logger.info('key ids backfilled', { assigned: report.assigned.length, done: report.done });
  } catch (error) {
    // The sweep matters more: the next invocation goes on from the last page recorded.
    logger.warn('key id backfill failed', { error: error as Error });
  }
}

/**
 * EventBridge Scheduler runs this once a minute. With SWEEP_PASS_SECONDS set (AWS: 10) one invocation
 * sweeps every that many seconds while its time lasts, so lease expiry, retries and SLA events land within
 * seconds, as they do locally; each pass stops on the invocation's remaining time.
 */
export const handler = middy<ScheduledEvent, void, Error, Context>()
  .use(observed())
  .handler(async (_event, context) => {
    const passSeconds = env().SWEEP_PASS_SECONDS;
    const remainingMs = () => context.getRemainingTimeInMillis();
    await backfillKeyIds();
    for (;;) {
      const started = Date.now();
      const report = await sweep(appContext(), { remainingMs });
      // Contract periods that ended are frozen into statements (once; a second pass finds them).
      const periods = await closeEndedPeriods(appContext());
      if (periods.closed.length) logger.info('periods closed', { closed: periods.closed });
      if (report.changed || report.routed || report.failOvers || report.unfinishedBuckets)
        logger.info('sweep', { ...report });
      if (!passSeconds) return;
      const wait = Math.max(0, passSeconds * 1000 - (Date.now() - started));
      if (remainingMs() - wait < PASS_RESERVE_MS) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  });
