// Webhook delivery in AWS: the FIFO delivery queue and its DLQ (KMS-encrypted
// with the platform key, TLS only), the delivery function fed by the queue
// with partial batch failures, and its alarms (DLQ depth, failure rate, errors).
import { Duration } from 'aws-cdk-lib';
import { type Alarm, MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { WEBHOOK_QUEUE } from '../resources.js';
import type { StageConfig } from '../stage-config.js';
import { alarmFactory, METRIC_NAMESPACE } from './observability.js';
import { encryptedQueueProps } from './queues.js';
import { type FunctionContext, OutrouteFunction } from './outroute-function.js';

/** Batches delivered at once: each holds up to 10 receivers for at most 5 s per request. */
const DELIVERY_CONCURRENCY = 5;

export class WebhookQueues extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: { config: StageConfig; key: IKey }) {
    super(scope, id);
    const encrypted = { ...encryptedQueueProps(props.key), fifo: true };
    this.deadLetterQueue = new Queue(this, `${WEBHOOK_QUEUE.logicalName}Dlq`, {
      ...encrypted,
      queueName: `${props.config.prefix}-webhooks-dlq.fifo`,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, WEBHOOK_QUEUE.logicalName, {
      ...encrypted,
      queueName: `${props.config.prefix}-webhooks.fifo`,
      visibilityTimeout: Duration.seconds(WEBHOOK_QUEUE.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(WEBHOOK_QUEUE.retentionDays),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: WEBHOOK_QUEUE.maxReceiveCount },
    });
  }
}

export interface WebhookDeliveryProps extends FunctionContext {
  queues: WebhookQueues;
  /** Where the alarms go (the platform's alarm topic). */
  alarmTopic: ITopic;
}

export class WebhookDelivery extends Construct {
  readonly deliver: OutrouteFunction;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: WebhookDeliveryProps) {
    super(scope, id);
    const { config, queues } = props;
    this.deliver = new OutrouteFunction(this, 'DeliverWebhooks', {
      ...props,
      entry: 'queue/deliver-webhooks',
      memorySize: 256,
      timeout: Duration.seconds(WEBHOOK_QUEUE.consumerTimeoutSeconds),
    });
    // FIFO: no batching window; a group's messages come in order, one batch per group at a time.
    this.deliver.fn.addEventSource(
      new SqsEventSource(queues.queue, {
        batchSize: WEBHOOK_QUEUE.batchSize,
        reportBatchItemFailures: true,
        maxConcurrency: DELIVERY_CONCURRENCY,
      }),
    );

    const alarm = alarmFactory(this, config, props.alarmTopic, this.alarms);
    const fifteenMinutes = { period: Duration.minutes(15), statistic: 'Sum' };
    const outroute = (metricName: string) =>
      new Metric({
        namespace: METRIC_NAMESPACE,
        metricName,
        dimensionsMap: { service: 'outroute' },
        ...fifteenMinutes,
      });
    alarm(
      'WebhookDlqNotEmpty',
      'Webhook events were dead-lettered: refused (4xx), retried for a day, or their subscription was disabled (errorCode attribute).',
      queues.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      1,
    );
    alarm(
      'WebhookFailureRate',
      'Half or more of the webhook delivery attempts in 15 minutes failed (receivers down, slow or refusing).',
      new MathExpression({
        expression: 'IF(delivered + failed >= 10, failed / (delivered + failed), 0)',
        usingMetrics: { delivered: outroute('WebhookDelivered'), failed: outroute('WebhookFailed') },
        label: 'Webhook failure rate',
        period: Duration.minutes(15),
      }),
      0.5,
    );
    alarm(
      'WebhookDeliveryErrors',
      'The webhook delivery function failed (whole invocations).',
      this.deliver.fn.metricErrors(fifteenMinutes),
      1,
    );
  }
}
