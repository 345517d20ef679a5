import { GetQueueAttributesCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** "Route ticket X": the only message the routing queue carries. */
export interface RoutingQueue {
  enqueue(ticketIds: string[]): Promise<void>;
  /** Resolves when the queue answers (health checks). */
  ping(): Promise<void>;
}

export interface RouteTicketMessage {
  ticketId: string;
}

export function sqsRoutingQueue(sqs: SQSClient, queueUrl: string): RoutingQueue {
  return {
    async ping() {
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    },
    async enqueue(ticketIds) {
      const unique = [...new Set(ticketIds)];
      for (let start = 0; start < unique.length; start += 10) {
        const batch = unique.slice(start, start + 10);
        const result = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: batch.map((ticketId, index) => ({
              Id: String(index),
              MessageBody: JSON.stringify({ ticketId } satisfies RouteTicketMessage),
            })),
          }),
        );
        // A ticket that could not be enqueued is still safe: the sweeper finds it.
        if (result.Failed?.length) throw new Error(`routing queue refused ${result.Failed.length} messages`);
      }
    },
  };
}
