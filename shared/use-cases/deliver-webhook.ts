// Fan-out (table stream → webhook queue) and delivery (webhook queue →
// receiver). At least once: the queue keeps a message until its delivery
// succeeds, is refused, or has been retried for a day; then it goes to the DLQ.
import type { OutEvent } from '../domain/events.js';
import { ticketEvents } from '../domain/change-events.js';
import type { Ticket } from '../domain/types.js';
import {
  classifyDelivery,
  failingTooLong,
  retryDelaySeconds,
  type StoredWebhook,
  webhookHeaders,
  webhookMatches,
  withinRetryWindow,
} from '../domain/webhooks.js';
import type { EventPublisher } from '../messaging/event-publisher.js';
import type { WebhookDeliveryMessage, WebhookQueue } from '../messaging/webhook-queue.js';
import type { WebhookSender } from '../messaging/webhook-sender.js';
import {
  cachedWebhooks,
  type DeliveryAttempt,
  disableWebhook,
  getStoredWebhook,
  markWebhookFailing,
  markWebhookHealthy,
  recordDeliveryAttempt,
} from '../store/webhook-store.js';
import type { AppContext } from './context.js';

/** The messages for these events: one per matching subscription and event, in the events' order. */
export function deliveriesFor(
  webhooks: StoredWebhook[],
  events: OutEvent[],
  ticketProviderId: string | undefined,
  now: number,
): WebhookDeliveryMessage[] {
  return events.flatMap((event) =>
    webhooks
      .filter((webhook) => webhookMatches(webhook, event, ticketProviderId))
      .map((webhook) => ({ webhookId: webhook.webhookId, event, enqueuedAt: now })),
  );
}

/** How far back a change offers its ticket's earlier events again (see eventsToOffer). */
const REOFFER_WINDOW_MS = 60_000;
const seqOf = (event: OutEvent) => Number(event.id.split('#').at(-1));

/**
 * The events a ticket change puts on the webhook queue: its new ones, after
 * the ticket's events of the minute before them. The stream consumer handles
 * the records of a batch side by side, so a ticket's "queued" may reach the
 * queue before its "received"; offering the earlier events again, in order,
 * in the same send puts them first whichever record is quicker, and the FIFO
 * queue's de-duplication (5 minutes, by subscription and event id) drops the
 * copies. An event offered again is built from the later image: its `status`
 * may then be the ticket's status a moment later.
 */
export function eventsToOffer(before: Ticket | undefined, after: Ticket): OutEvent[] {
  const fresh = ticketEvents(before, after);
  const [first, last] = [fresh[0], fresh.at(-1)];
  if (!first || !last) return [];
  const newest = Date.parse(last.at);
  const earlier = ticketEvents(undefined, after).filter(
    (event) => seqOf(event) < seqOf(first) && newest - Date.parse(event.at) <= REOFFER_WINDOW_MS,
  );
  return [...earlier, ...fresh];
}

/** A ticket change's events, queued for every subscription that wants them. */
export async function enqueueTicketWebhooks(
  ctx: AppContext,
  queue: WebhookQueue,
  before: Ticket | undefined,
  after: Ticket,
): Promise<void> {
  const events = eventsToOffer(before, after);
  if (!events.length) return;
  const webhooks = await cachedWebhooks(ctx.table);
  if (!webhooks.length) return;
  await queue.enqueue(deliveriesFor(webhooks, events, after.providerId, ctx.now()));
}

export interface DeliveryDeps {
  queue: WebhookQueue;
  sender: WebhookSender;
  /** Where `webhook.disabled` goes (events out). */
  events: EventPublisher;
  retryBaseSeconds: number;
  random: () => number;
}

/** What became of one message: done (delete it) or retry (it stays, hidden until its next attempt). */
export type DeliveryResult =
  { kind: 'done'; delivered: boolean } | { kind: 'retry'; delivered: false; delaySeconds: number };

export async function deliverWebhookMessage(
  ctx: AppContext,
  deps: DeliveryDeps,
  message: WebhookDeliveryMessage,
  received: { receiptHandle: string; receiveCount: number },
): Promise<DeliveryResult> {
  const webhook = await getStoredWebhook(ctx.table, message.webhookId);
  if (!webhook) return { kind: 'done', delivered: false }; // deleted: nobody to deliver to
  if (!webhook.enabled) {
    await deps.queue.deadLetter(message, 'webhook_disabled', `webhook ${webhook.webhookId} is disabled`);
    return { kind: 'done', delivered: false };
  }
  const { event } = message;
  const body = JSON.stringify(event);
  const result = await deps.sender.send(
    webhook.url,
    body,
    webhookHeaders(webhook.secret, event.id, Math.floor(ctx.now() / 1000), body),
  );
  const nowMs = ctx.now();
  const attempt: DeliveryAttempt = {
    eventId: event.id,
    eventType: event.type,
    attempt: received.receiveCount,
    at: new Date(nowMs).toISOString(),
    status: result.status ?? null,
    latencyMs: result.latencyMs,
    outcome: 'delivered',
    ...(result.error ? { error: result.error } : {}),
  };
  const outcome = result.error?.startsWith('url refused') ? 'give_up' : classifyDelivery(result.status);
  if (outcome === 'delivered') {
    await recordDeliveryAttempt(ctx.table, webhook.webhookId, attempt);
    await markWebhookHealthy(ctx.table, webhook.webhookId);
    return { kind: 'done', delivered: true };
  }
  const reason = result.error ?? `HTTP ${result.status}`;
  const failingSince = await markWebhookFailing(ctx.table, webhook.webhookId, attempt.at);
  if (failingTooLong(failingSince, nowMs)) {
    await recordDeliveryAttempt(ctx.table, webhook.webhookId, { ...attempt, outcome: 'dead_lettered' });
    await disable(ctx, deps, webhook, failingSince as string, reason);
    await deps.queue.deadLetter(message, 'webhook_disabled', reason);
    return { kind: 'done', delivered: false };
  }
  if (outcome === 'give_up') {
    await recordDeliveryAttempt(ctx.table, webhook.webhookId, { ...attempt, outcome: 'failed' });
    await deps.queue.deadLetter(message, 'refused', reason);
    return { kind: 'done', delivered: false };
  }
  const delaySeconds = retryDelaySeconds(received.receiveCount, deps.random(), deps.retryBaseSeconds);
  if (!withinRetryWindow(message.enqueuedAt, nowMs + delaySeconds * 1000)) {
    await recordDeliveryAttempt(ctx.table, webhook.webhookId, { ...attempt, outcome: 'dead_lettered' });
    await deps.queue.deadLetter(message, 'retries_exhausted', reason);
    return { kind: 'done', delivered: false };
  }
  await recordDeliveryAttempt(ctx.table, webhook.webhookId, {
    ...attempt,
    outcome: 'retrying',
    nextAttemptAt: new Date(nowMs + delaySeconds * 1000).toISOString(),
  });
  await deps.queue.retryLater(received.receiptHandle, delaySeconds);
  return { kind: 'retry', delivered: false, delaySeconds };
}

async function disable(
  ctx: AppContext,
  deps: DeliveryDeps,
  webhook: StoredWebhook,
  failingSince: string,
  reason: string,
): Promise<void> {
  const at = new Date(ctx.now()).toISOString();
  if (!(await disableWebhook(ctx.table, webhook.webhookId, at, 'failing_for_a_day'))) return;
  await deps.events.publish([
    {
      id: `${webhook.webhookId}#disabled#${at}`,
      type: 'webhook.disabled',
      at,
      webhookId: webhook.webhookId,
      url: webhook.url,
      failingSince,
      lastError: reason,
      ...(webhook.sourceId ? { sourceId: webhook.sourceId } : {}),
      ...(webhook.providerId ? { providerId: webhook.providerId } : {}),
    },
  ]);
}
