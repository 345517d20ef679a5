// Webhook subscriptions: admin manages all; a provider key manages only the
// subscriptions scoped to its own provider, and sees no other.
import { randomUUID } from 'node:crypto';
import type { OutEvent } from '../domain/events.js';
import type { Principal } from '../domain/types.js';
import {
  publicWebhook,
  type StoredWebhook,
  type UrlPolicy,
  type Webhook,
  type WebhookInput,
  webhookHeaders,
  webhookUrlProblem,
} from '../domain/webhooks.js';
import { AppError, notFound } from '../lib/errors.js';
import { randomToken } from '../lib/hash.js';
import type { WebhookSender } from '../messaging/webhook-sender.js';
import {
  type DeliveryAttempt,
  deleteStoredWebhook,
  getStoredWebhook,
  listDeliveryAttempts,
  listStoredWebhooks,
  putStoredWebhook,
  recordDeliveryAttempt,
} from '../store/webhook-store.js';
import { type AppContext, isoNow } from './context.js';

const visibleTo = (principal: Principal, webhook: Webhook) =>
  principal.role === 'admin' ||
  (principal.role === 'provider' && webhook.providerId === principal.providerId);

async function visibleWebhook(ctx: AppContext, principal: Principal, webhookId: string) {
  const webhook = await getStoredWebhook(ctx.table, webhookId);
  if (!webhook || !visibleTo(principal, webhook)) throw notFound(`webhook ${webhookId}`);
  return webhook;
}

/**
 * Creates or replaces a subscription. The answer carries `secret` only when it
 * was generated here (shown this once); a replacement without a secret keeps
 * the one it had.
 */
export async function putWebhook(
  ctx: AppContext,
  principal: Principal,
  webhookId: string,
  input: WebhookInput,
  policy: UrlPolicy,
): Promise<{ created: boolean; webhook: Webhook & { secret?: string } }> {
  let scope = { sourceId: input.sourceId, providerId: input.providerId };
  if (principal.role === 'provider') {
    if (input.sourceId || (input.providerId && input.providerId !== principal.providerId))
      throw new AppError('forbidden', "a provider key manages only webhooks of its own provider's tickets");
    scope = { sourceId: undefined, providerId: principal.providerId };
  }
  const problem = webhookUrlProblem(input.url, policy);
  if (problem) throw new AppError('validation_error', `url: ${problem}`, [{ path: 'url', message: problem }]);
  const existing = await getStoredWebhook(ctx.table, webhookId);
  if (existing && !visibleTo(principal, existing))
    throw new AppError('forbidden', 'this webhook id belongs to another owner');
  const now = isoNow(ctx);
  const generated = input.secret || existing?.secret ? undefined : `whsec_${randomToken(32)}`;
  const stored: StoredWebhook = {
    webhookId,
    url: input.url,
    events: [...new Set(input.events)],
    ...(scope.sourceId ? { sourceId: scope.sourceId } : {}),
    ...(scope.providerId ? { providerId: scope.providerId } : {}),
    secret: input.secret ?? existing?.secret ?? (generated as string),
    enabled: input.enabled,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
  await putStoredWebhook(ctx.table, stored);
  return {
    created: !existing,
    webhook: { ...publicWebhook(stored), ...(generated ? { secret: generated } : {}) },
  };
}

export async function readWebhook(
  ctx: AppContext,
  principal: Principal,
  webhookId: string,
): Promise<Webhook> {
  return publicWebhook(await visibleWebhook(ctx, principal, webhookId));
}

export async function listWebhooks(ctx: AppContext, principal: Principal): Promise<Webhook[]> {
  const all = await listStoredWebhooks(ctx.table, true);
  return all.filter((webhook) => visibleTo(principal, webhook)).map(publicWebhook);
}

export async function removeWebhook(ctx: AppContext, principal: Principal, webhookId: string): Promise<void> {
  await visibleWebhook(ctx, principal, webhookId);
  await deleteStoredWebhook(ctx.table, webhookId);
}

export async function webhookDeliveries(
  ctx: AppContext,
  principal: Principal,
  webhookId: string,
  limit = 50,
): Promise<DeliveryAttempt[]> {
  await visibleWebhook(ctx, principal, webhookId);
  return listDeliveryAttempts(ctx.table, webhookId, limit);
}

/** Sends a signed `ping` now, once, and answers what the receiver said (recorded as a delivery attempt). */
export async function pingWebhook(
  ctx: AppContext,
  principal: Principal,
  webhookId: string,
  sender: WebhookSender,
): Promise<DeliveryAttempt> {
  const webhook = await visibleWebhook(ctx, principal, webhookId);
  const at = isoNow(ctx);
  const event: OutEvent = { id: `ping-${randomUUID()}`, type: 'ping', at, webhookId };
  const body = JSON.stringify(event);
  const result = await sender.send(
    webhook.url,
    body,
    webhookHeaders(webhook.secret, event.id, Math.floor(ctx.now() / 1000), body),
  );
  const delivered = result.status !== undefined && result.status >= 200 && result.status < 300;
  const attempt: DeliveryAttempt = {
    eventId: event.id,
    eventType: event.type,
    attempt: 1,
    at,
    status: result.status ?? null,
    latencyMs: result.latencyMs,
    outcome: delivered ? 'delivered' : 'failed',
    ...(result.error ? { error: result.error } : {}),
  };
  await recordDeliveryAttempt(ctx.table, webhookId, attempt);
  return attempt;
}
