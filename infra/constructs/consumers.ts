// The queue and stream consumers with their event sources: batching, partial
// batch failures and concurrency come from infra/resources.ts and the stage.
import { Duration } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import {
  DynamoEventSource,
  S3OnFailureDestination,
  SqsEventSource,
} from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { STREAM } from '../resources.js';
import type { Entry } from './access.js';
import { constructIdOf, type FunctionContext, OutrouteFunction } from './outroute-function.js';
import type { Queues, WorkQueue } from './queues.js';

export interface ConsumersProps extends FunctionContext {
  table: Table;
  queues: Queues;
}

export class Consumers extends Construct {
  readonly intake: OutrouteFunction;
  readonly router: OutrouteFunction;
  readonly stream: OutrouteFunction;

  constructor(scope: Construct, id: string, props: ConsumersProps) {
    super(scope, id);
    const { config, queues } = props;
    const queueConsumer = (
      entry: Entry,
      work: WorkQueue,
      memorySize: number,
      maxConcurrency: number,
      reservedConcurrency?: number,
    ) => {
      const { definition } = work;
      const consumer = new OutrouteFunction(this, constructIdOf(entry), {
        ...props,
        entry,
        memorySize,
        reservedConcurrency,
        // resources.ts sets each queue's visibility timeout to six times this.
        timeout: Duration.seconds(definition.consumerTimeoutSeconds),
      });
      consumer.fn.addEventSource(
        new SqsEventSource(work.queue, {
          batchSize: definition.batchSize,
          maxBatchingWindow: Duration.seconds(definition.maxBatchingWindowSeconds),
          reportBatchItemFailures: true,
          maxConcurrency,
        }),
      );
      return consumer;
    };
    this.intake = queueConsumer('queue/intake-tickets', queues.intake, 512, config.maxConcurrency.intake);
    // The router decides in memory (calendars, scoring): more memory is more CPU.
    this.router = queueConsumer(
      'queue/route-tickets',
      queues.routing,
      1024,
      config.maxConcurrency.routing,
      Math.max(config.reservedConcurrency.router, config.maxConcurrency.routing),
    );

    this.stream = new OutrouteFunction(this, 'ProcessChanges', {
      ...props,
      entry: 'stream/process-changes',
      timeout: Duration.seconds(STREAM.timeoutSeconds),
      reservedConcurrency: config.reservedConcurrency.stream,
    });
    this.stream.fn.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: STREAM.batchSize,
        retryAttempts: STREAM.maxRetries,
        // No bisection: a retry must start where a batch started or where it reported its first failure,
        // for counters applied once per batch (a marker per counted run of records) to skip what they
        // counted. A poison record is found by the partial failures instead.
        bisectBatchOnError: false,
        reportBatchItemFailures: true,
        // One batch per shard at a time. Within a batch the records are handled side by side (not in
        // order): each step is idempotent and keyed by the change itself, so order does not matter there.
        parallelizationFactor: 1,
        // The records themselves, not just their sequence numbers (which the stream forgets after 24 h).
        onFailure: new S3OnFailureDestination(queues.streamFailures),
      }),
    );
  }
}
