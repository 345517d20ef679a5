export {
  createOutrouteClient,
  OutrouteApiError,
  type OutrouteClient,
  type OutrouteClientOptions,
  unwrap,
} from './client.js';
export type { components, operations, paths } from './generated/openapi.js';
export { backoffDelayMs, isRetryable, type RetryOptions, retryingFetch } from './retry.js';
export { type OutrouteEvent, signatureOf, type VerifyOptions, verifyWebhookSignature } from './webhooks.js';
export {
  createWorker,
  RejectError,
  type Worker,
  type WorkerOptions,
  type WorkerStats,
  type WorkItem,
} from './worker.js';
