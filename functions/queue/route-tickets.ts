import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { CalendarCache } from '../../shared/domain/calendar.js';
import { isFailOver, type RoutingMessage } from '../../shared/messaging/routing-queue.js';
import type { Ticket } from '../../shared/domain/types.js';
import { cachedPolicy } from '../../shared/store/config-store.js';
import { getTickets } from '../../shared/store/ticket-store.js';
import { failOverStep } from '../../shared/use-cases/fail-over-provider.js';
import { ProviderSnapshotCache } from '../../shared/use-cases/provider-snapshot.js';
import { type RouterState, routeTicket, routeTogether } from '../../shared/use-cases/route-ticket.js';
import { appContext } from '../lib/app-context.js';
import { logger, observed } from '../lib/observability.js';

const snapshots = new ProviderSnapshotCache();
const PARK_REFRESH_AGE_MS = 200;
const calendars = new CalendarCache();
const processor = new BatchProcessor(EventType.SQS);

/**
 * The router: one batch of "route ticket X" messages, decided in order
 * against one provider snapshot that each reservation updates in memory,
 * the tickets going to one provider reserved in one transaction;
 * fail-over steps of offline providers ride the same queue (one page each).
 */
export const handler = middy<SQSEvent, SQSBatchResponse, Error, Context>()
  .use(observed())
  .handler(async (event, context) => {
    const ctx = appContext();
    const state: RouterState = {
      providers: await snapshots.get(ctx),
      policy: await cachedPolicy(ctx.table, 'routing'),
      calendars,
      // Before parking: anything older than a moment, or than the ticket, may miss a provider just added or opened.
      refresh: (changedAtMs) => snapshots.get(ctx, PARK_REFRESH_AGE_MS, changedAtMs),
    };
    const preloaded = await readBatchTickets(ctx, event.Records);
    // The batch's tickets decided in order and reserved together per provider; the rest one by one.
    const together = await routeTogether(
      ctx,
      state,
      [...preloaded.values()].filter((ticket): ticket is Ticket => ticket !== null),
    ).catch((error: unknown) => {
      logger.warn('routing the batch together failed; routing one by one', { error });
      return { queued: new Set<string>(), reread: new Set(preloaded.keys()) };
    });
    const routeRecord = async (record: SQSRecord) => {
      const message = JSON.parse(record.body) as RoutingMessage;
      if (isFailOver(message)) {
        const moved = await failOverStep(ctx, message.failOver);
        logger.info('fail-over step', { ...message.failOver, moved });
        return;
      }
      const { ticketId } = message;
      if (together.queued.delete(ticketId)) {
        preloaded.delete(ticketId);
        logger.debug('routed', { ticketId, outcome: 'queued' });
        return;
      }
      // Read with the batch once; a second message for the same ticket reads it again (it may have moved).
      const ticket = together.reread.has(ticketId) ? undefined : preloaded.get(ticketId);
      preloaded.delete(ticketId);
      const outcome = await routeTicket(ctx, state, ticketId, ticket);
      logger.debug('routed', { ticketId, outcome });
    };
    return processPartialResponse(event, routeRecord, processor, {
      context,
      processInParallel: false,
      throwOnFullBatchFailure: false,
    });
  });

/**
 * The batch's tickets in one consistent BatchGetItem instead of a read per ticket: id → ticket, or null
 * when it does not exist. Unreadable messages are left to fail on their own; if the batch read fails,
 * each ticket is read on its own as before (an empty map).
 */
async function readBatchTickets(
  ctx: ReturnType<typeof appContext>,
  records: SQSRecord[],
): Promise<Map<string, Ticket | null>> {
  const ids = records.flatMap((record) => {
    try {
      const message = JSON.parse(record.body) as RoutingMessage;
      return !isFailOver(message) && typeof message.ticketId === 'string' ? [message.ticketId] : [];
    } catch {
      return [];
    }
  });
  const preloaded = new Map<string, Ticket | null>();
  if (!ids.length) return preloaded;
  try {
    for (const id of ids) preloaded.set(id, null);
    for (const ticket of await getTickets(ctx.table, ids)) preloaded.set(ticket.ticketId, ticket);
  } catch (error) {
    logger.warn('batch read of tickets failed, reading one by one', { error });
    preloaded.clear();
  }
  return preloaded;
}
