// Alarms to an encrypted SNS topic (email when the stage has an address) and
// a CloudWatch dashboard with the routing and SLA figures the stream
// function emits as EMF metrics (namespace Outroute, dimension service).
import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { FilterPattern, type LogGroup, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { TABLE } from '../resources.js';
import type { StageConfig } from '../stage-config.js';
import type { OutrouteFunction } from './outroute-function.js';
import type { Queues } from './queues.js';

export const METRIC_NAMESPACE = 'Outroute';

/**
 * Alarms of one construct: named `<prefix>-<kebab-case name>`, raised at or above the threshold in one
 * period, quiet without data, sent to the alarm topic and collected in `alarms` (the dashboard lists them).
 */
export function alarmFactory(scope: Construct, config: StageConfig, topic: ITopic, alarms: Alarm[]) {
  return (name: string, description: string, metric: IMetric, threshold: number): Alarm => {
    const created = new Alarm(scope, name, {
      alarmName: `${config.prefix}-${name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}`,
      alarmDescription: description,
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    created.addAlarmAction(new SnsAction(topic));
    alarms.push(created);
    return created;
  };
}
const SERVICE = { service: 'outroute' };

export interface ObservabilityProps {
  config: StageConfig;
  queues: Queues;
  /** The table: its transaction conflicts and throttles (base table and every index) raise alarms. */
  table: ITable;
  api: HttpApi;
  accessLogs: LogGroup;
  router: OutrouteFunction;
  intake: OutrouteFunction;
  stream: OutrouteFunction;
  sweep: OutrouteFunction;
  authorizer: OutrouteFunction;
  /** Request-path functions whose throttles the throttle alarm counts (with the workers above: at most 10 in all). */
  hotPath: OutrouteFunction[];
}

export class Observability extends Construct {
  readonly topic: Topic;
  readonly topicKey: Key;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const { config, queues, api } = props;

    // Its own key: CloudWatch must be allowed to use the topic's key, and it
    // should not be the key that protects the ticket data.
    this.topicKey = new Key(this, 'TopicKey', {
      alias: `alias/${config.prefix}-alarms`,
      description: `Outroute ${config.stage}: alarm topic`,
      enableKeyRotation: true,
      removalPolicy: config.removalPolicy,
    });
    this.topicKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToTheEncryptedTopic',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new Topic(this, 'Topic', {
      topicName: `${config.prefix}-alarms`,
      displayName: `Outroute ${config.stage} alarms`,
      masterKey: this.topicKey,
      enforceSSL: true,
    });
    if (config.alarmEmail) this.topic.addSubscription(new EmailSubscription(config.alarmEmail));

    const throttled = new MetricFilter(this, 'ApiThrottledFilter', {
      logGroup: props.accessLogs,
      filterPattern: FilterPattern.numberValue('$.status', '=', 429),
      metricNamespace: METRIC_NAMESPACE,
      metricName: 'ApiThrottled',
      metricValue: '1',
      defaultValue: 0,
    }).metric({ statistic: 'Sum', period: Duration.minutes(5) });

    const outroute = (metricName: string, period = Duration.minutes(5)) =>
      new Metric({
        namespace: METRIC_NAMESPACE,
        metricName,
        dimensionsMap: SERVICE,
        statistic: 'Sum',
        period,
      });
    const minute = { period: Duration.minutes(1), statistic: 'Maximum' };
    const fiveMinutes = { period: Duration.minutes(5), statistic: 'Sum' };
    const throttleSources = [
      props.authorizer,
      props.intake,
      props.router,
      props.stream,
      props.sweep,
      ...props.hotPath,
    ];
    if (throttleSources.length > 10) throw new Error('a metric math alarm takes at most 10 metrics');
    const functionThrottles = new MathExpression({
      expression: `SUM([${throttleSources.map((_, index) => `t${index}`).join(',')}])`,
      usingMetrics: Object.fromEntries(
        throttleSources.map((source, index) => [`t${index}`, source.fn.metricThrottles(fiveMinutes)]),
      ),
      label: 'Throttles (request path and workers)',
      period: Duration.minutes(5),
    });

    const alarm = alarmFactory(this, config, this.topic, this.alarms);
    alarm(
      'IntakeDlqNotEmpty',
      'Intake messages were dead-lettered: invalid bodies (error in the message attributes) or repeated failures.',
      queues.intake.deadLetterQueue.metricApproximateNumberOfMessagesVisible(minute),
      1,
    );
    alarm(
      'RoutingDlqNotEmpty',
      'Route-ticket messages failed maxReceiveCount times; the sweeper re-enqueues their tickets, find out why.',
      queues.routing.deadLetterQueue.metricApproximateNumberOfMessagesVisible(minute),
      1,
    );
    alarm(
      'StreamFailuresNotEmpty',
      'Stream batches were kept in the stream-failures bucket after their retries (S3 counts objects daily): redrive them with outroute dlq.',
      new Metric({
        namespace: 'AWS/S3',
        metricName: 'NumberOfObjects',
        dimensionsMap: { BucketName: queues.streamFailures.bucketName, StorageType: 'AllStorageTypes' },
        statistic: 'Maximum',
        period: Duration.days(1),
      }),
      1,
    );
    alarm(
      'StreamConsumerErrors',
      'The stream consumer failed: its batches are retried, then kept in the stream-failures bucket (outroute dlq).',
      props.stream.fn.metricErrors(fiveMinutes),
      1,
    );
    alarm(
      'RouterErrors',
      'The router function failed (whole invocations).',
      props.router.fn.metricErrors(fiveMinutes),
      1,
    );
    alarm(
      'IntakeOldestMessageAge',
      'The oldest intake message waits more than 5 minutes: the intake consumer is behind or failing.',
      queues.intake.queue.metricApproximateAgeOfOldestMessage({ ...minute, period: Duration.minutes(5) }),
      300,
    );
    alarm(
      'RoutingOldestMessageAge',
      'Tickets wait more than 2 minutes to be routed.',
      queues.routing.queue.metricApproximateAgeOfOldestMessage({ ...minute, period: Duration.minutes(5) }),
      120,
    );
    alarm(
      'StreamIteratorAge',
      'The stream consumer is more than 5 minutes behind the table.',
      props.stream.fn.metric('IteratorAge', { ...minute, period: Duration.minutes(5) }),
      300_000,
    );
    alarm(
      'SlaBreachesPerHour',
      `At least ${config.slaBreachesPerHour} tickets breached their SLA within one hour.`,
      outroute('SlaBreached', Duration.hours(1)),
      config.slaBreachesPerHour,
    );
    alarm(
      'ApiServerErrors',
      'The HTTP API answered 5xx (a 5xx is a bug, see API.md).',
      api.metricServerError(fiveMinutes),
      1,
    );
    // Conflicts and throttles are retried inside the functions (capped backoff with
    // jitter) and only then answered 503 or retried by the queue or stream; these
    // alarms say that happens often enough to look at (a hot item, a hot index partition).
    alarm(
      'TableTransactionConflicts',
      'DynamoDB cancelled at least 50 requests for transaction conflicts in 5 minutes (retried; a hot item, e.g. one provider).',
      props.table.metric('TransactionConflict', fiveMinutes),
      50,
    );
    const throttleMetric = (name: string, index?: string) =>
      new Metric({
        namespace: 'AWS/DynamoDB',
        metricName: name,
        dimensionsMap: {
          TableName: props.table.tableName,
          ...(index ? { GlobalSecondaryIndexName: index } : {}),
        },
        statistic: 'Sum',
        period: Duration.minutes(5),
      });
    const tableThrottleMetrics = [undefined, ...TABLE.indexes.map((index) => index.name)].flatMap((index) => [
      throttleMetric('ReadThrottleEvents', index),
      throttleMetric('WriteThrottleEvents', index),
    ]);
    alarm(
      'TableThrottles',
      'DynamoDB throttled reads or writes on the table or an index (an index throttle also fails the base write).',
      new MathExpression({
        expression: `SUM([${tableThrottleMetrics.map((_, index) => `d${index}`).join(',')}])`,
        usingMetrics: Object.fromEntries(tableThrottleMetrics.map((metric, index) => [`d${index}`, metric])),
        label: 'Throttle events (table and indexes)',
        period: Duration.minutes(5),
      }),
      1,
    );
    alarm('ApiThrottled', 'The HTTP API answered 429 at least 10 times in 5 minutes.', throttled, 10);
    alarm('FunctionThrottles', 'Lambda throttled request-path or worker functions.', functionThrottles, 1);

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: config.prefix,
      defaultInterval: Duration.hours(24),
    });
    const width = 8;
    const consumers = [props.intake, props.router, props.stream, props.sweep, props.authorizer];
    const named = (source: OutrouteFunction, metric: Metric) => metric.with({ label: source.entry });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# Outroute ${config.stage}\nRouting and SLA (stream function EMF metrics), queues, functions, API.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Tickets routed / completed / parked / rerouted',
        width,
        left: ['TicketsRouted', 'TicketsCompleted', 'TicketsParked', 'TicketsRerouted'].map((name) =>
          outroute(name),
        ),
      }),
      new GraphWidget({
        title: 'SLA breaches per hour',
        width,
        left: [outroute('SlaBreached', Duration.hours(1))],
        leftAnnotations: [{ value: config.slaBreachesPerHour, label: 'alarm' }],
      }),
      new SingleValueWidget({
        title: 'Last 24 h',
        width,
        setPeriodToTimeRange: true,
        metrics: ['TicketsRouted', 'TicketsCompleted', 'SlaBreached'].map((name) => outroute(name)),
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Queue depth (visible messages)',
        width,
        left: [
          queues.intake.queue.metricApproximateNumberOfMessagesVisible(minute).with({ label: 'intake' }),
          queues.routing.queue.metricApproximateNumberOfMessagesVisible(minute).with({ label: 'routing' }),
        ],
        right: [
          queues.intake.deadLetterQueue
            .metricApproximateNumberOfMessagesVisible(minute)
            .with({ label: 'intake DLQ' }),
          queues.routing.deadLetterQueue
            .metricApproximateNumberOfMessagesVisible(minute)
            .with({ label: 'routing DLQ' }),
          props.stream.fn.metricErrors(minute).with({ label: 'stream consumer errors' }),
        ],
      }),
      new GraphWidget({
        title: 'Oldest message age (s)',
        width,
        left: [
          queues.intake.queue.metricApproximateAgeOfOldestMessage(minute).with({ label: 'intake' }),
          queues.routing.queue.metricApproximateAgeOfOldestMessage(minute).with({ label: 'routing' }),
        ],
      }),
      new GraphWidget({
        title: 'Stream iterator age (ms)',
        width,
        left: [props.stream.fn.metric('IteratorAge', minute).with({ label: 'process-changes' })],
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Function errors (all Outroute functions)',
        width,
        left: [
          new MathExpression({
            expression: `SEARCH('{AWS/Lambda,FunctionName} MetricName="Errors" ${config.prefix}', 'Sum', 300)`,
            label: '',
            usingMetrics: {},
            period: Duration.minutes(5),
          }),
        ],
      }),
      new GraphWidget({
        title: 'Worker errors and throttles',
        width,
        left: consumers.map((source) => named(source, source.fn.metricErrors(fiveMinutes))),
        right: [functionThrottles],
      }),
      new GraphWidget({
        title: 'Worker duration p95 (ms)',
        width,
        left: consumers.map((source) =>
          named(source, source.fn.metricDuration({ period: Duration.minutes(5), statistic: 'p95' })),
        ),
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'API requests, 4xx, 5xx, 429',
        width,
        left: [api.metricCount(fiveMinutes).with({ label: 'requests' })],
        right: [
          api.metricClientError(fiveMinutes).with({ label: '4xx' }),
          api.metricServerError(fiveMinutes).with({ label: '5xx' }),
          throttled.with({ label: '429' }),
        ],
      }),
      new GraphWidget({
        title: 'API latency (ms)',
        width,
        left: ['p50', 'p95', 'p99'].map((statistic) =>
          api.metricLatency({ period: Duration.minutes(5), statistic }).with({ label: statistic }),
        ),
      }),
      new AlarmStatusWidget({ title: 'Alarms', width, alarms: this.alarms }),
    );
  }
}
