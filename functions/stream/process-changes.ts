import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { providerEvents, ticketEvents } from '../../shared/domain/change-events.js';
import { CLOUDWATCH_METRIC_OF } from '../../shared/domain/metric-changes.js';
import type { CountIncrement } from '../../shared/domain/metric-counts.js';
import { scorecardClosedEvent } from '../../shared/domain/scorecard.js';
import { capacityReleases } from '../../shared/domain/backlog-counts.js';
import type { Provider } from '../../shared/domain/types.js';
import {
  type EventPublisher,
  eventBridgePublisher,
  jsonLinesPublisher,
} from '../../shared/messaging/event-publisher.js';
import { getProvider } from '../../shared/store/provider-store.js';
import { ticketFromItem } from '../../shared/store/ticket-store.js';
import {
  type CountedChange,
  countChangesOnce,
  ticketChangeCounters,
} from '../../shared/use-cases/count-metrics.js';
import { ContractVersionsCache } from '../../shared/use-cases/contracts.js';
import { wakeParkedTickets } from '../../shared/use-cases/wake-parked.js';
import { appContext } from '../lib/app-context.js';
import { env } from '../lib/env.js';
import { logger, metrics, observed, sdkClient } from '../lib/observability.js';
import { enqueueWebhooks } from '../lib/webhooks.js';

/** A provider change may let parked tickets fit: this many it may take are retried at once, in triage order. */
const WAKE_ON_PROVIDER_CHANGE = 100;
const WAKE_PER_FREED_SLOT = 2;

let publisher: EventPublisher | undefined;
function events(): EventPublisher {
  const { EVENT_BUS_NAME, EVENT_LOG_FILE } = env();
  publisher ??= EVENT_BUS_NAME
    ? eventBridgePublisher(sdkClient(new EventBridgeClient({})), EVENT_BUS_NAME)
    : jsonLinesPublisher(EVENT_LOG_FILE ?? '/tmp/outroute-events.jsonl');
  return publisher;
}

const image = (raw: Record<string, unknown> | undefined) =>
  raw
    ? (unmarshall(raw as Record<string, AttributeValue>) as Record<string, unknown> & { entity?: string })
    : undefined;

/**
 * Reacts to every table change: publishes the events it implies and sends
 * webhooks. Each step is idempotent, so a replayed record does no harm;
 * counters (and the capacity tickets give back) are applied once per batch
 * (countBatch), and parked tickets are woken after that (wakeForFreedCapacity).
 */
async function processRecord(record: DynamoDBRecord): Promise<void> {
  const oldImage = image(record.dynamodb?.OldImage);
  const newImage = image(record.dynamodb?.NewImage);
  const entity = newImage?.entity ?? oldImage?.entity;
  const ctx = appContext();
  if (entity === 'ticket' && newImage) {
    const [before, after] = [oldImage && ticketFromItem(oldImage), ticketFromItem(newImage)];
    await events().publish(ticketEvents(before, after));
    await enqueueWebhooks(ctx, before, after);
    if (after.status === 'parked' && before?.status !== 'parked')
      metrics.addMetric('TicketsParked', MetricUnit.Count, 1);
  }
  // A period's statement is stored once, when the sweeper closes the period.
  if (entity === 'statement' && newImage && !oldImage)
    await events().publish([scorecardClosedEvent(newImage)]);
  if (entity === 'provider') {
    const [before, after] = [oldImage as Provider | undefined, newImage as Provider | undefined];
    await events().publish(providerEvents(before, after));
    if (after?.status === 'offline' && before?.status !== 'offline')
      // Only enqueued: the router moves the queue page by page, and checks again after the index lag.
      await ctx.routingQueue.failOver({ providerId: after.providerId, pass: 0 });
    if (after && before?.version !== after.version)
      await wakeParkedTickets(ctx, WAKE_ON_PROVIDER_CHANGE, after);
  }
}

/**
 * Counts the batch's ticket changes once, up to the first record that failed
 * (Lambda retries from there, so the rest is counted then). If counting fails,
 * the whole batch is retried: every other step is idempotent.
 */
/** The records before the first failed one: what the batch counted. */
function countedRecords(
  records: DynamoDBRecord[],
  failures: DynamoDBBatchResponse['batchItemFailures'],
): DynamoDBRecord[] {
  const failed = new Set(failures.map((failure) => failure.itemIdentifier));
  const firstFailed = records.findIndex((record) => failed.has(record.dynamodb?.SequenceNumber ?? ''));
  return firstFailed < 0 ? records : records.slice(0, firstFailed);
}

/**
 * Work-conserving: once the batch's released capacity is counted, parked
 * tickets the freed providers may take go back to the router. Best effort: a
 * failure is logged, not retried (a retry from the middle of a counted run
 * would count again); the sweeper's parked retry still finds every ticket.
 */
async function wakeForFreedCapacity(records: DynamoDBRecord[]): Promise<void> {
  const ctx = appContext();
  for (const record of records) {
    const newImage = image(record.dynamodb?.NewImage);
    if (newImage?.entity !== 'ticket') continue;
    const oldImage = image(record.dynamodb?.OldImage);
    for (const { providerId, units } of capacityReleases(
      oldImage && ticketFromItem(oldImage),
      ticketFromItem(newImage),
    )) {
      try {
        const provider = await getProvider(ctx.table, providerId);
        // A ticket of several effort units frees room for as many small ones.
        await wakeParkedTickets(ctx, WAKE_PER_FREED_SLOT * units, provider);
      } catch (error) {
        logger.warn('waking parked tickets failed; the sweeper retries them', { error, providerId });
      }
    }
  }
}

async function countBatch(
  records: DynamoDBRecord[],
  failures: DynamoDBBatchResponse['batchItemFailures'],
): Promise<DynamoDBBatchResponse['batchItemFailures']> {
  const ctx = appContext();
  const changes: CountedChange[] = [];
  const contracts = new ContractVersionsCache();
  for (const record of countedRecords(records, failures)) {
    const newImage = image(record.dynamodb?.NewImage);
    if (newImage?.entity !== 'ticket') continue;
    const oldImage = image(record.dynamodb?.OldImage);
    const before = oldImage && ticketFromItem(oldImage);
    const counters = await ticketChangeCounters(ctx, before, ticketFromItem(newImage), contracts);
    changes.push({
      eventId: record.eventID ?? '',
      sequence: record.dynamodb?.SequenceNumber ?? '0',
      ...counters,
    });
  }
  try {
    for (const change of await countChangesOnce(ctx, changes)) emitMetrics(change.hourly);
    return failures;
  } catch (error) {
    logger.error('counting the batch failed; it is retried whole', { error });
    return [{ itemIdentifier: records[0]?.dynamodb?.SequenceNumber ?? '' }];
  }
}

function emitMetrics(increments: CountIncrement[]): void {
  for (const { counts } of increments) {
    for (const [counter, name] of Object.entries(CLOUDWATCH_METRIC_OF)) {
      const value = counts[counter as keyof typeof CLOUDWATCH_METRIC_OF];
      if (value) metrics.addMetric(name, MetricUnit.Count, value);
    }
  }
}

const processor = new BatchProcessor(EventType.DynamoDBStreams);

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse, Error, Context>()
  .use(observed())
  .handler(async (event, context) => {
    const { batchItemFailures } = await processPartialResponse(event, processRecord, processor, {
      context,
      throwOnFullBatchFailure: false,
    });
    const failures = await countBatch(event.Records, batchItemFailures);
    await wakeForFreedCapacity(countedRecords(event.Records, failures));
    return { batchItemFailures: failures };
  });
