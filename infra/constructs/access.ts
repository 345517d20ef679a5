// What each function may touch, read from its handler's imports (use cases ->
// stores -> SDK commands). One line per handler file: a function whose entry
// has no line here fails the synth, and each function gets exactly these grants.
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';

/** A route's handler (infra/routes.ts types it as a plain string). */
export type RouteEntry = string;
export type WorkerEntry =
  | 'auth/authorize'
  | 'queue/intake-tickets'
  | 'queue/route-tickets'
  | 'stream/process-changes'
  | 'queue/deliver-webhooks'
  | 'schedule/sweep';
/** A handler file below functions/, without extension. */
export type Entry = RouteEntry | WorkerEntry;

export interface Access {
  /**
   * describe: DescribeTable only (health); read: Get/BatchGet/Query (+ the key's
   * Decrypt); readWrite: also Put/Update/Delete/TransactWrite (+ Encrypt).
   */
  table: 'none' | 'describe' | 'read' | 'readWrite';
  /** send: enqueues "route ticket X" (SendMessageBatch); attributes: GetQueueAttributes only (health). */
  routingQueue?: 'send' | 'attributes';
  /** Puts invalid intake messages on the intake DLQ itself, with the error attached. */
  intakeDeadLetters?: 'send';
  /** Publishes events out (PutEvents). */
  eventBus?: 'put';
  /** Records a key's lastUsedAt: UpdateItem on API key items (KEY#…) only, beside a read-only table grant. */
  apiKeyUsage?: 'touch';
  /** Signs or opens list cursors: the stage's cursor secret in the environment. */
  cursors?: 'sign';
  /**
   * send: enqueues webhook deliveries (SendMessageBatch on the FIFO webhook queue);
   * deliver: the delivery consumer, which hides messages for their backoff and sends
   * given-up events to the webhook DLQ (its receive grants come from the event source).
   */
  webhookQueue?: 'send' | 'deliver';
}

const READ: Access = { table: 'read' };
const WRITE: Access = { table: 'readWrite' };
const WRITE_AND_ROUTE: Access = { table: 'readWrite', routingQueue: 'send' };

export const ACCESS = {
  // checkHealth: DescribeTable + routingQueue.ping() (GetQueueAttributes)
  'http/get-health': { table: 'describe', routingQueue: 'attributes' },
  // the document is built from the route table and schemas in memory
  'http/get-openapi': { table: 'none' },
  'http/list-providers': READ,
  'http/get-provider': READ,
  'http/get-sla-policy': READ,
  'http/get-routing-policy': READ,
  'http/get-ticket': READ,
  'http/list-tickets': { table: 'read', cursors: 'sign' },
  'http/list-keys': READ,
  // readAuditTrail: queries by day, ticket or actor, cursors signed
  'http/list-audit': { table: 'read', cursors: 'sign' },
  'http/get-provider-metrics': READ,
  'http/get-backlog': READ,
  // SLA policies: one partition (Query); metrics query the status index by createdAt
  'http/list-sla-policies': READ,
  'http/get-named-sla-policy': READ,
  'http/get-sla-metrics': READ,
  // PutItem / DeleteItem of the policy and the audit entry
  'http/put-named-sla-policy': WRITE,
  'http/delete-named-sla-policy': WRITE,
  // a conditional write on the ticket
  'http/respond-ticket': WRITE,
  // the ticket's new targets; a queued ticket its provider can no longer finish in time goes back to routing
  'http/reprioritize-ticket': WRITE_AND_ROUTE,
  // webhooks: subscriptions (Get/Query/Put/Delete) with their audit entries; test sends a ping and records it
  'http/list-webhooks': READ,
  'http/get-webhook': READ,
  'http/list-webhook-deliveries': READ,
  'http/put-webhook': WRITE,
  'http/delete-webhook': WRITE,
  'http/test-webhook': WRITE,
  // putProvider (UpdateItem), deleteProvider (DeleteItem), putPolicy (PutItem), storeApiKey (PutItem),
  // each with its access audit entry (BatchWriteItem); create-ticket(-batch) also count intake (UpdateItem)
  'http/put-provider': WRITE,
  'http/set-provider-status': WRITE,
  'http/delete-provider': WRITE,
  'http/put-sla-policy': WRITE,
  'http/put-routing-policy': WRITE,
  'http/create-provider-key': WRITE,
  'http/create-source-key': WRITE,
  // deleteApiKey / shortenApiKey + storeApiKey, and the audit entry
  'http/delete-key': WRITE,
  'http/rotate-key': WRITE,
  // transitions without a re-route: conditional writes on the ticket only
  'http/cancel-ticket': WRITE,
  'http/lease-tickets': WRITE,
  'http/extend-lease': WRITE,
  'http/complete-ticket': WRITE,
  // insertTicket then routingQueue.enqueue
  'http/create-ticket': WRITE_AND_ROUTE,
  'http/create-ticket-batch': WRITE_AND_ROUTE,
  // returnTicket: back to routing
  'http/release-ticket': WRITE_AND_ROUTE,
  'http/reject-ticket': WRITE_AND_ROUTE,
  // holds (issue 14): the ticket's conditional write; a resume whose provider gave its slot back and is
  // full now goes back to routing, as does an escalated ticket; a transfer moves it in its own write
  'http/hold-ticket': WRITE,
  'http/resume-ticket': WRITE_AND_ROUTE,
  'http/escalate-ticket': WRITE_AND_ROUTE,
  'http/transfer-ticket': WRITE,
  // contracts (issue 10): versions (Query/Put with the audit entry), scorecards read counters and
  // statements; feedback is a conditional write on the ticket, a reopen it cannot place goes to routing
  'http/get-provider-contract': READ,
  'http/list-contract-versions': READ,
  'http/get-provider-scorecard': READ,
  'http/list-scorecards': READ,
  'http/put-provider-contract': WRITE,
  'http/give-feedback': WRITE_AND_ROUTE,
  // findPrincipal: GetItem on the key's hash; touchApiKey: UpdateItem of that item's lastUsedAt
  'auth/authorize': { table: 'read', apiKeyUsage: 'touch' },
  'queue/intake-tickets': { table: 'readWrite', routingQueue: 'send', intakeDeadLetters: 'send' },
  // the router reserves with TransactWriteItems; its queue access comes from the event source
  // Sends delayed retries of newly parked tickets and the next fail-over step.
  'queue/route-tickets': WRITE_AND_ROUTE,
  // counters, fail-over, wake-ups (enqueue) and events out; stream reads come from the event source
  // ... and webhook deliveries enqueued per matching subscription
  'stream/process-changes': {
    table: 'readWrite',
    routingQueue: 'send',
    eventBus: 'put',
    webhookQueue: 'send',
  },
  // reads the subscription, records each attempt, marks it failing or disables it (webhook.disabled out)
  'queue/deliver-webhooks': { table: 'readWrite', webhookQueue: 'deliver', eventBus: 'put' },
  // timers: transitions and re-enqueues
  'schedule/sweep': WRITE_AND_ROUTE,
} as const satisfies Record<string, Access>;

/** The access of one handler; an entry without a line is an error, never a default. */
export function accessOf(entry: Entry): Access {
  const access = (ACCESS as Record<string, Access>)[entry];
  if (!access) throw new Error(`no ACCESS line for functions/${entry}.ts in infra/constructs/access.ts`);
  return access;
}

/** The shared resources functions are granted access to. */
export interface Platform {
  table: Table;
  routingQueue: IQueue;
  intakeDeadLetterQueue: IQueue;
  eventBus: IEventBus;
  /** Signs list cursors (CURSOR_SECRET). */
  cursorSecret?: ISecret;
  /** The FIFO webhook delivery queue and its DLQ. */
  webhookQueue?: IQueue;
  webhookDeadLetterQueue?: IQueue;
}

/** Environment variables (functions/lib/env.ts) and grants for one function, from its ACCESS line. */
export function wireAccess(fn: LambdaFunction, access: Access, platform: Platform): void {
  const { table, routingQueue, intakeDeadLetterQueue, eventBus } = platform;
  // The table itself only (table.grant would add its indexes, which DescribeTable does not need).
  if (access.table === 'describe') {
    fn.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:DescribeTable'], resources: [table.tableArn] }),
    );
  }
  if (access.table === 'read') table.grantReadData(fn);
  if (access.table === 'readWrite') table.grantReadWriteData(fn);
  if (access.apiKeyUsage === 'touch') {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:UpdateItem'],
        resources: [table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['KEY#*'] } },
      }),
    );
  }
  if (access.cursors === 'sign') {
    if (!platform.cursorSecret) throw new Error('cursors need the platform cursor secret');
    fn.addEnvironment('CURSOR_SECRET', platform.cursorSecret.secretValue.unsafeUnwrap());
  }
  if (access.routingQueue === 'attributes') routingQueue.grant(fn, 'sqs:GetQueueAttributes');
  if (access.routingQueue === 'send') routingQueue.grantSendMessages(fn);
  if (access.intakeDeadLetters === 'send') {
    intakeDeadLetterQueue.grantSendMessages(fn);
    fn.addEnvironment('INTAKE_DLQ_URL', intakeDeadLetterQueue.queueUrl);
  }
  if (access.webhookQueue) {
    const { webhookQueue, webhookDeadLetterQueue } = platform;
    if (!webhookQueue || !webhookDeadLetterQueue) throw new Error('webhook access needs the webhook queues');
    fn.addEnvironment('WEBHOOK_QUEUE_URL', webhookQueue.queueUrl);
    if (access.webhookQueue === 'send') webhookQueue.grantSendMessages(fn);
    if (access.webhookQueue === 'deliver') {
      webhookQueue.grant(fn, 'sqs:ChangeMessageVisibility');
      webhookDeadLetterQueue.grantSendMessages(fn);
      fn.addEnvironment('WEBHOOK_DLQ_URL', webhookDeadLetterQueue.queueUrl);
    }
  }
  if (access.eventBus === 'put') {
    eventBus.grantPutEventsTo(fn);
    fn.addEnvironment('EVENT_BUS_NAME', eventBus.eventBusName);
  }
}
