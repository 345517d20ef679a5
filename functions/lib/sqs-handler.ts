import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { observed } from './observability.js';

/**
 * A queue consumer: a plain record handler that throws to fail one record,
 * wrapped so the batch reports partial failures (ReportBatchItemFailures).
 */
export function sqsHandler(recordHandler: (record: SQSRecord) => Promise<void>) {
  const processor = new BatchProcessor(EventType.SQS);
  return middy<SQSEvent, SQSBatchResponse, Error, Context>()
    .use(observed())
    .handler((event, context) =>
      processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false }),
    );
}
