// The webhook side of the handlers: its environment (parsed once, like env.ts)
// and its adapters, built on first use.
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { DEFAULT_RETRY_BASE_SECONDS } from '../../shared/domain/webhooks.js';
import type { Ticket } from '../../shared/domain/types.js';
import {
  type EventPublisher,
  eventBridgePublisher,
  jsonLinesPublisher,
} from '../../shared/messaging/event-publisher.js';
import { sqsWebhookQueue, type WebhookQueue } from '../../shared/messaging/webhook-queue.js';
import { httpWebhookSender, type WebhookSender } from '../../shared/messaging/webhook-sender.js';
import { enqueueTicketWebhooks } from '../../shared/use-cases/deliver-webhook.js';
import type { AppContext } from '../../shared/use-cases/context.js';
import { sdkClient } from './observability.js';

const webhookEnvSchema = z.object({
  /** The FIFO delivery queue and its DLQ; unset, nothing is enqueued (functions that do not deliver). */
  WEBHOOK_QUEUE_URL: z.string().min(1).optional(),
  WEBHOOK_DLQ_URL: z.string().min(1).optional(),
  /** `public` in AWS (https only, no private addresses); `local` for npm start and tests. */
  WEBHOOK_URL_POLICY: z.enum(['public', 'local']).default('public'),
  /** The first retry's delay; each next one doubles (tests shorten it). */
  WEBHOOK_RETRY_BASE_SECONDS: z.coerce.number().min(0.1).max(3600).default(DEFAULT_RETRY_BASE_SECONDS),
  EVENT_BUS_NAME: z.string().min(1).optional(),
  EVENT_LOG_FILE: z.string().min(1).optional(),
});

export type WebhookEnv = z.infer<typeof webhookEnvSchema>;

let parsed: WebhookEnv | undefined;
export function webhookEnv(): WebhookEnv {
  parsed ??= webhookEnvSchema.parse(process.env);
  return parsed;
}

let queue: WebhookQueue | undefined;
export function webhookQueue(): WebhookQueue | undefined {
  const { WEBHOOK_QUEUE_URL, WEBHOOK_DLQ_URL } = webhookEnv();
  if (!WEBHOOK_QUEUE_URL) return undefined;
  queue ??= sqsWebhookQueue(sdkClient(new SQSClient({})), {
    queueUrl: WEBHOOK_QUEUE_URL,
    deadLetterUrl: WEBHOOK_DLQ_URL ?? '',
  });
  return queue;
}

let sender: WebhookSender | undefined;
export function webhookSender(): WebhookSender {
  sender ??= httpWebhookSender({ policy: webhookEnv().WEBHOOK_URL_POLICY });
  return sender;
}

let publisher: EventPublisher | undefined;
export function webhookEventsOut(): EventPublisher {
  const { EVENT_BUS_NAME, EVENT_LOG_FILE } = webhookEnv();
  publisher ??= EVENT_BUS_NAME
    ? eventBridgePublisher(sdkClient(new EventBridgeClient({})), EVENT_BUS_NAME)
    : jsonLinesPublisher(EVENT_LOG_FILE ?? '/tmp/outroute-events.jsonl');
  return publisher;
}

/** The stream consumer's one call: this ticket change's events, queued for their subscriptions. */
export async function enqueueWebhooks(
  ctx: AppContext,
  before: Ticket | undefined,
  after: Ticket,
): Promise<void> {
  const target = webhookQueue();
  if (target) await enqueueTicketWebhooks(ctx, target, before, after);
}
