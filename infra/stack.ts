// The Outroute stack: the same table, queues, routes and handlers the local
// runtime runs, deployed to AWS. Environment-agnostic: synthesizes offline.
import { CfnOutput, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { Consumers } from './constructs/consumers.js';
import { DashboardHosting } from './constructs/dashboard-hosting.js';
import { Data } from './constructs/data.js';
import { EventsOut } from './constructs/events.js';
import { OutrouteHttpApi } from './constructs/http-api.js';
import { applyNagSuppressions } from './constructs/nag-suppressions.js';
import { Observability } from './constructs/observability.js';
import type { FunctionContext, OutrouteFunction } from './constructs/outroute-function.js';
import { Queues } from './constructs/queues.js';
import { Sweeper } from './constructs/scheduler.js';
import type { StageConfig } from './stage-config.js';
import { WebhookDelivery, WebhookQueues } from './constructs/webhooks.js';

export interface OutrouteStackProps extends StackProps {
  config: StageConfig;
}

export class OutrouteStack extends Stack {
  readonly config: StageConfig;
  readonly data: Data;
  readonly queues: Queues;
  readonly events: EventsOut;
  readonly http: OutrouteHttpApi;
  readonly consumers: Consumers;
  readonly sweeper: Sweeper;
  readonly observability: Observability;
  readonly hosting: DashboardHosting;
  readonly cursorSecret: Secret;
  readonly webhookQueues: WebhookQueues;
  readonly webhooks: WebhookDelivery;

  constructor(scope: Construct, id: string, props: OutrouteStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.config = config;
    this.data = new Data(this, 'Data', config);
    this.queues = new Queues(this, 'Queues', { config, key: this.data.key });
    this.events = new EventsOut(this, 'Events', config);
    this.webhookQueues = new WebhookQueues(this, 'WebhookQueues', { config, key: this.data.key });
    // Signs list cursors (HMAC); CloudFormation resolves it into the environment of the functions that list.
    this.cursorSecret = new Secret(this, 'CursorSecret', {
      description: 'Outroute: HMAC key that signs list cursors',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      encryptionKey: this.data.key,
      removalPolicy: config.removalPolicy,
    });
    const context: FunctionContext = {
      config,
      platform: {
        table: this.data.table,
        routingQueue: this.queues.routing.queue,
        intakeDeadLetterQueue: this.queues.intake.deadLetterQueue,
        eventBus: this.events.bus,
        cursorSecret: this.cursorSecret,
        webhookQueue: this.webhookQueues.queue,
        webhookDeadLetterQueue: this.webhookQueues.deadLetterQueue,
      },
    };
    this.http = new OutrouteHttpApi(this, 'Http', context);
    this.consumers = new Consumers(this, 'Consumers', {
      ...context,
      table: this.data.table,
      queues: this.queues,
    });
    this.sweeper = new Sweeper(this, 'Sweeper', context);
    const route = (entry: Parameters<OutrouteHttpApi['routeFunctions']['get']>[0]) => {
      const found = this.http.routeFunctions.get(entry);
      if (!found) throw new Error(`no function for ${entry}`);
      return found;
    };
    this.observability = new Observability(this, 'Observability', {
      config,
      queues: this.queues,
      table: this.data.table,
      api: this.http.api,
      accessLogs: this.http.accessLogs,
      router: this.consumers.router,
      intake: this.consumers.intake,
      stream: this.consumers.stream,
      sweep: this.sweeper.sweep,
      authorizer: this.http.authorizer,
      hotPath: [
        route('http/create-ticket'),
        route('http/create-ticket-batch'),
        route('http/get-ticket'),
        route('http/lease-tickets'),
        route('http/complete-ticket'),
      ],
    });
    this.webhooks = new WebhookDelivery(this, 'Webhooks', {
      ...context,
      queues: this.webhookQueues,
      alarmTopic: this.observability.topic,
    });
    this.hosting = new DashboardHosting(this, 'Dashboard', { config, api: this.http.api });

    new CfnOutput(this, 'ApiUrl', {
      value: this.http.stage.url,
      description:
        'The HTTP API itself: bypasses CloudFront and its 413 for oversized bodies (clients use ClientApiUrl)',
    });
    new CfnOutput(this, 'ClientApiUrl', {
      value: `https://${this.hosting.distribution.distributionDomainName}`,
      description:
        "The API for clients (sources, providers, the CLI): through CloudFront, which answers a body over the limit with the contract's 413",
    });
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://${this.hosting.distribution.distributionDomainName}/`,
      description: 'The operations dashboard; the API is also served here under /v1, /health, /openapi.json',
    });
    new CfnOutput(this, 'IntakeQueueUrl', {
      value: this.queues.intake.queue.queueUrl,
      description: 'Send ticket bodies with a sourceId here',
    });
    new CfnOutput(this, 'EventBusName', {
      value: this.events.bus.eventBusName,
      description: 'Events out (source: outroute)',
    });
    new CfnOutput(this, 'TableName', { value: this.data.table.tableName });

    Tags.of(this).add('project', 'outroute');
    Tags.of(this).add('stage', config.stage);
    applyNagSuppressions(this);
  }

  /** Every function built from a handler file. */
  get functions(): OutrouteFunction[] {
    return [
      ...this.http.routeFunctions.values(),
      this.http.authorizer,
      this.consumers.intake,
      this.consumers.router,
      this.consumers.stream,
      this.sweeper.sweep,
      this.webhooks.deliver,
    ];
  }
}
