import middy from '@middy/core';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { sweep } from '../../shared/use-cases/sweep.js';
import { appContext } from '../lib/app-context.js';
import { logger, observed } from '../lib/observability.js';

export const handler = middy<ScheduledEvent, void, Error, Context>()
  .use(observed())
  .handler(async () => {
    const report = await sweep(appContext());
    if (report.changed || report.routed) logger.info('sweep', { ...report });
  });
