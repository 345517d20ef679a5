import {
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** "Route ticket X", and the steps of a fail-over: what the routing queue carries. */
export interface RoutingQueue {
  /** `delaySeconds` (at most 900): the message becomes visible that much later (SQS DelaySeconds). */
  enqueue(ticketIds: string[], options?: { delaySeconds?: number }): Promise<void>;
  /** Queues one step of a provider's fail-over (see use-cases/fail-over-provider.ts). */
  failOver(job: FailOverJob, options?: { delaySeconds?: number }): Promise<void>;
  /** Resolves when the queue answers (health checks). */
  ping(): Promise<void>;
}

export interface RouteTicketMessage {
  ticketId: string;
}

/** A fail-over step: the routing queue carries these beside "route ticket X", handled by the router. */
export interface FailOverJob {
  providerId: string;
  /** Passes over the provider's queue done so far (a pass repeats after the index lag). */
  pass: number;
  /** Where this pass goes on (an opaque page cursor). */
  cursor?: string;
  /** Tickets this pass moved on its earlier pages. */
  movedInPass?: number;
}

export interface FailOverMessage {
  failOver: FailOverJob;
}

export type RoutingMessage = RouteTicketMessage | FailOverMessage;

export const isFailOver = (message: RoutingMessage): message is FailOverMessage => 'failOver' in message;

export function sqsRoutingQueue(sqs: SQSClient, queueUrl: string): RoutingQueue {
  return {
    async ping() {
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    },
    async failOver(job, options = {}) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify({ failOver: job } satisfies FailOverMessage),
          ...(options.delaySeconds ? { DelaySeconds: Math.min(900, Math.round(options.delaySeconds)) } : {}),
        }),
      );
    },
    async enqueue(ticketIds, options = {}) {
      const unique = [...new Set(ticketIds)];
      for (let start = 0; start < unique.length; start += 10) {
        const batch = unique.slice(start, start + 10);
        const result = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: batch.map((ticketId, index) => ({
              Id: String(index),
              MessageBody: JSON.stringify({ ticketId } satisfies RouteTicketMessage),
              ...(options.delaySeconds
                ? { DelaySeconds: Math.min(900, Math.round(options.delaySeconds)) }
                : {}),
            })),
          }),
        );
        // A ticket that could not be enqueued is still safe: the sweeper finds it.
        if (result.Failed?.length) throw new Error(`routing queue refused ${result.Failed.length} messages`);
      }
    },
  };
}
