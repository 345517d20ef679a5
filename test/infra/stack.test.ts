// The synthesized stack, checked against the definitions it is built from
// (infra/resources.ts, infra/routes.ts, infra/constructs/access.ts).
// Bundling is skipped: these tests read the template, not the code.
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { accessOf } from '../../infra/constructs/access.js';
import { bodyLimitFunctionSource } from '../../infra/constructs/edge-body-limit.js';
import { functionNameOf } from '../../infra/constructs/outroute-function.js';
import { QUEUES, STREAM, TABLE, WEBHOOK_QUEUE } from '../../infra/resources.js';
import { ROUTES, routeKeyOf } from '../../infra/routes.js';
import { OutrouteStack } from '../../infra/stack.js';
import { type StageConfig, stageConfig } from '../../infra/stage-config.js';

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

const CDK_CONTEXT = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context;

function synthesize(context: Record<string, unknown> = {}) {
  const app = new App({ context: { ...CDK_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context } });
  const config = stageConfig(app.node);
  const stack = new OutrouteStack(app, config.prefix, { config });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  return { stack, config, template, resources };
}

const ofType = (resources: Record<string, Resource>, type: string) =>
  Object.entries(resources).filter(([, resource]) => resource.Type === type);
const actionsOf = (statement: Statement) => [statement.Action].flat();
const WORKERS = [
  'auth/authorize',
  'queue/intake-tickets',
  'queue/route-tickets',
  'stream/process-changes',
  'schedule/sweep',
  'queue/deliver-webhooks',
];
const ENTRIES = [...new Set(ROUTES.map((route) => route.entry as string)), ...WORKERS];

/** Each handler's function, by entry: logical id, properties, and its role's policy statements. */
function functionsByEntry(resources: Record<string, Resource>, config: StageConfig) {
  const policies = ofType(resources, 'AWS::IAM::Policy');
  return new Map(
    ENTRIES.map((entry) => {
      const found = ofType(resources, 'AWS::Lambda::Function').find(
        ([, resource]) => resource.Properties.FunctionName === functionNameOf(config, entry),
      );
      if (!found) throw new Error(`no function for ${entry}`);
      const [logicalId, fn] = found;
      const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const statements = policies
        .filter(([, policy]) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
        .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
      return [entry, { logicalId, fn, statements, actions: statements.flatMap(actionsOf) }];
    }),
  );
}

describe('the dev stack', () => {
  let synth: ReturnType<typeof synthesize>;
  let functions: ReturnType<typeof functionsByEntry>;
  beforeAll(() => {
    synth = synthesize();
    functions = functionsByEntry(synth.resources, synth.config);
  }, 120_000);

  it('has the resources the design names, in the expected numbers', () => {
    const { template } = synth;
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.resourceCountIs('AWS::SQS::Queue', 6); // intake, routing, webhooks and their DLQs
    template.resourceCountIs('AWS::S3::Bucket', 3); // dashboard site, its access logs, stream failures
    template.resourceCountIs('AWS::KMS::Key', 2); // data, alarm topic
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.resourceCountIs('AWS::ApiGatewayV2::Route', ROUTES.length);
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 4);
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.resourceCountIs('AWS::CloudFront::Distribution', 1);
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    const handlers = ofType(synth.resources, 'AWS::Lambda::Function').filter(([, fn]) =>
      String(fn.Properties.Description).startsWith('functions/'),
    );
    expect(handlers.map(([, fn]) => fn.Properties.Description).sort()).toStrictEqual(
      ENTRIES.map((entry) => `functions/${entry}.ts`).sort(),
    );
  });

  it('builds the table from resources.ts: on-demand, PITR, KMS, stream, TTL, GSIs with their projections', () => {
    synth.template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      StreamSpecification: { StreamViewType: TABLE.streamView },
      TimeToLiveSpecification: { AttributeName: TABLE.timeToLiveAttribute, Enabled: true },
      GlobalSecondaryIndexes: TABLE.indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        // Slim where resources.ts lists the attributes (queue, timers), whole items otherwise.
        Projection: index.include
          ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.include] }
          : { ProjectionType: 'ALL' },
      })),
    });
    synth.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('encrypts every queue with KMS and allows TLS only', () => {
    for (const [, queue] of ofType(synth.resources, 'AWS::SQS::Queue')) {
      expect(queue.Properties.KmsMasterKeyId).toBeDefined();
    }
    const policies = ofType(synth.resources, 'AWS::SQS::QueuePolicy');
    expect(policies).toHaveLength(6);
    for (const [, policy] of policies) {
      expect(policy.Properties.PolicyDocument).toMatchObject({
        Statement: expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Action: 'sqs:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      });
    }
  });

  it.each(Object.entries(QUEUES))(
    'gives the %s queue the visibility, retention and redrive of resources.ts',
    (name, queue) => {
      synth.template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: `${synth.config.prefix}-${name}`,
        VisibilityTimeout: queue.visibilityTimeoutSeconds,
        MessageRetentionPeriod: queue.retentionDays * 86_400,
        RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: queue.maxReceiveCount },
      });
    },
  );

  it.each(Object.entries(QUEUES))(
    'consumes the %s queue in batches, with partial failures and bounded concurrency',
    (name, queue) => {
      const consumer = functions.get(name === 'intake' ? 'queue/intake-tickets' : 'queue/route-tickets');
      expect(consumer?.fn.Properties.Timeout).toBe(queue.consumerTimeoutSeconds);
      synth.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: consumer?.logicalId },
        BatchSize: queue.batchSize,
        MaximumBatchingWindowInSeconds: queue.maxBatchingWindowSeconds,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: synth.config.maxConcurrency[name as keyof typeof QUEUES] },
      });
    },
  );

  it('consumes the table stream with retries, partial failures (no bisection: counted runs restart where they began), and keeps failed batches in S3', () => {
    synth.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functions.get('stream/process-changes')?.logicalId },
      EventSourceArn: { 'Fn::GetAtt': [Match.anyValue(), 'StreamArn'] },
      BatchSize: STREAM.batchSize,
      MaximumRetryAttempts: STREAM.maxRetries,
      BisectBatchOnFunctionError: false,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      // S3 keeps the records themselves; an SQS destination would get only their sequence numbers.
      DestinationConfig: {
        OnFailure: {
          Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^QueuesStreamFailures'), 'Arn'] },
        },
      },
    });
  });

  it('reserves concurrency for the router, the stream consumer and the sweeper from the stage', () => {
    const reserved = (entry: Parameters<typeof functions.get>[0]) =>
      functions.get(entry)?.fn.Properties.ReservedConcurrentExecutions;
    expect({
      router: reserved('queue/route-tickets'),
      stream: reserved('stream/process-changes'),
      sweep: reserved('schedule/sweep'),
    }).toStrictEqual(synth.config.reservedConcurrency);
    expect(reserved('queue/route-tickets')).toBeGreaterThanOrEqual(synth.config.maxConcurrency.routing);
    expect(QUEUES.intake.maxReceiveCount).toBeGreaterThanOrEqual(5);
    const sweepEnv = functions.get('schedule/sweep')?.fn.Properties.Environment as {
      Variables: Record<string, string>;
    };
    expect(sweepEnv.Variables.SWEEP_PASS_SECONDS).toBe('10');
  });

  it.each(ENTRIES)('runs %s on Node 24, arm64, traced, with the Powertools settings', (entry) => {
    const { fn } = functions.get(entry)!;
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogGroup: expect.anything() },
      Environment: {
        Variables: expect.objectContaining({
          TABLE_NAME: expect.anything(),
          ROUTING_QUEUE_URL: expect.anything(),
          POWERTOOLS_SERVICE_NAME: 'outroute',
          POWERTOOLS_METRICS_NAMESPACE: 'Outroute',
        }),
      },
    });
  });

  it('gives the bus name only to the functions that publish and the intake DLQ only to the intake consumer', () => {
    for (const [entry, { fn }] of functions) {
      const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect('EVENT_BUS_NAME' in variables, entry).toBe(accessOf(entry).eventBus === 'put');
      expect('INTAKE_DLQ_URL' in variables, entry).toBe(entry === 'queue/intake-tickets');
    }
  });

  it.each(ROUTES.map((route) => [routeKeyOf(route), route] as const))(
    'wires %s to the function built from its entry',
    (key, route) => {
      const [, apiRoute] = ofType(synth.resources, 'AWS::ApiGatewayV2::Route').find(
        ([, resource]) => resource.Properties.RouteKey === key,
      )!;
      const target = apiRoute.Properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
      const integration = synth.resources[target['Fn::Join'][1][1].Ref]!;
      expect(integration.Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [functions.get(route.entry)?.logicalId, 'Arn'] },
      });
      if (route.roles === 'public') {
        expect(apiRoute.Properties.AuthorizationType).toBe('NONE');
      } else {
        expect(apiRoute.Properties).toMatchObject({
          AuthorizationType: 'CUSTOM',
          AuthorizerId: { Ref: expect.stringMatching(/^HttpApiApiKeyAuthorizer/) },
        });
      }
    },
  );

  it('protects every route but the public ones with the cached simple-response authorizer', () => {
    const unauthorized = ofType(synth.resources, 'AWS::ApiGatewayV2::Route')
      .filter(([, route]) => route.Properties.AuthorizationType !== 'CUSTOM')
      .map(([, route]) => route.Properties.RouteKey);
    expect(unauthorized.sort()).toStrictEqual(['GET /health', 'GET /openapi.json']);
    synth.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      // Never cached: the "anonymous" answer would be cached too, and revocation would lag.
      AuthorizerResultTtlInSeconds: 0,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerUri: Match.objectLike({
        'Fn::Join': [
          '',
          Match.arrayWith([{ 'Fn::GetAtt': [functions.get('auth/authorize')?.logicalId, 'Arn'] }]),
        ],
      }),
    });
  });

  it('throttles the API stage and writes access logs to a log group', () => {
    synth.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: synth.config.apiThrottle.rateLimit,
        ThrottlingBurstLimit: synth.config.apiThrottle.burstLimit,
      },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
        Format: Match.anyValue(),
      },
    });
  });

  it('invokes the sweeper every minute from EventBridge Scheduler', () => {
    synth.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      Target: { Arn: { 'Fn::GetAtt': [functions.get('schedule/sweep')?.logicalId, 'Arn'] } },
    });
    synth.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functions.get('schedule/sweep')?.logicalId },
      MaximumRetryAttempts: 0,
    });
  });

  describe('IAM', () => {
    const WRITES = [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
    ];

    it('grants no wildcard actions and no resource "*" beyond what AWS requires', () => {
      for (const [, policy] of ofType(synth.resources, 'AWS::IAM::Policy')) {
        const { Statement } = policy.Properties.PolicyDocument as { Statement: Statement[] };
        for (const statement of Statement) {
          for (const action of actionsOf(statement)) {
            expect(action).not.toBe('*');
            expect(action).not.toMatch(/^[a-z0-9-]+:\*$/);
          }
          if (statement.Resource === '*') {
            expect(
              actionsOf(statement).every((action) => RESOURCE_STAR_ALLOWED.has(action)),
              JSON.stringify(statement),
            ).toBe(true);
          }
        }
      }
    });

    it.each(ENTRIES)('gives %s exactly the table, queue and bus access of its ACCESS line', (entry) => {
      const access = accessOf(entry);
      const { actions, statements } = functions.get(entry)!;
      const dynamo = actions.filter(
        (action) => action.startsWith('dynamodb:') && action !== 'dynamodb:ListStreams',
      );
      if (access.table === 'none') expect(dynamo).toStrictEqual([]);
      if (access.table === 'describe') expect(dynamo).toStrictEqual(['dynamodb:DescribeTable']);
      if (access.table === 'read') {
        expect(dynamo).toContain('dynamodb:GetItem');
        expect(dynamo).toContain('dynamodb:Query');
        const writes =
          'apiKeyUsage' in access ? WRITES.filter((write) => write !== 'dynamodb:UpdateItem') : WRITES;
        for (const write of writes) expect(dynamo).not.toContain(write);
      }
      if (access.table === 'readWrite') for (const write of WRITES) expect(dynamo).toContain(write);
      // Only the stream consumer reads the stream itself.
      expect(dynamo.includes('dynamodb:DescribeStream')).toBe(entry === 'stream/process-changes');
      const sends = statements.filter((statement) => actionsOf(statement).includes('sqs:SendMessage'));
      expect(sends.length > 0, 'sqs:SendMessage').toBe(
        access.routingQueue === 'send' ||
          access.intakeDeadLetters === 'send' ||
          access.webhookQueue !== undefined ||
          entry === 'stream/process-changes',
      );
      expect(actions.includes('events:PutEvents'), 'events:PutEvents').toBe(access.eventBus === 'put');
      expect(actions.includes('sqs:GetQueueAttributes')).toBe(
        access.routingQueue !== undefined ||
          access.intakeDeadLetters !== undefined ||
          entry.startsWith('queue/') ||
          entry === 'stream/process-changes',
      );
    });

    it('lets the authorizer update API key items (lastUsedAt) and nothing else', () => {
      const { statements } = functions.get('auth/authorize')!;
      const updates = statements.filter((statement) => actionsOf(statement).includes('dynamodb:UpdateItem'));
      expect(updates).toHaveLength(1);
      expect(actionsOf(updates[0]!)).toStrictEqual(['dynamodb:UpdateItem']);
      expect(JSON.stringify(updates[0])).toContain('"dynamodb:LeadingKeys":["KEY#*"]');
      for (const write of WRITES.filter((write) => write !== 'dynamodb:UpdateItem')) {
        expect(functions.get('auth/authorize')!.actions).not.toContain(write);
      }
    });

    it.each(['http/get-health', 'http/list-providers', 'http/get-ticket'])(
      'keeps the read-only %s from writing',
      (entry) => {
        const { actions } = functions.get(entry)!;
        for (const write of [
          ...WRITES,
          'kms:Encrypt',
          'kms:GenerateDataKey*',
          'sqs:SendMessage',
          'events:PutEvents',
        ]) {
          expect(actions).not.toContain(write);
        }
      },
    );

    it('lets the health check describe the table itself only, and the OpenAPI function touch nothing', () => {
      const health = functions
        .get('http/get-health')!
        .statements.find((statement) => actionsOf(statement).includes('dynamodb:DescribeTable'));
      expect(health?.Resource).toStrictEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DataTable/), 'Arn'] });
      const openapi = functions
        .get('http/get-openapi')!
        .actions.filter((action) => !action.startsWith('logs:') && !action.startsWith('xray:'));
      expect(openapi).toStrictEqual([]);
    });
  });

  describe('observability', () => {
    it('alarms on DLQs, router errors, intake age, SLA breaches and throttles, to the encrypted topic', () => {
      const alarms = ofType(synth.resources, 'AWS::CloudWatch::Alarm');
      const names = alarms.map(([, alarm]) =>
        String(alarm.Properties.AlarmName).replace(`${synth.config.prefix}-`, ''),
      );
      expect(names).toEqual(
        expect.arrayContaining([
          'intake-dlq-not-empty',
          'routing-dlq-not-empty',
          'stream-failures-not-empty',
          'router-errors',
          'intake-oldest-message-age',
          'sla-breaches-per-hour',
          'api-throttled',
          'function-throttles',
        ]),
      );
      for (const [, alarm] of alarms) {
        expect(alarm.Properties.AlarmActions).toStrictEqual([
          { Ref: expect.stringMatching(/^ObservabilityTopic/) },
        ]);
      }
      synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'Outroute',
        MetricName: 'SlaBreached',
        Dimensions: [{ Name: 'service', Value: 'outroute' }],
        Period: 3600,
        Statistic: 'Sum',
      });
      synth.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
      synth.template.resourceCountIs('AWS::SNS::Subscription', 0);
    });

    it("alarms on the table's transaction conflicts and on throttles of the table and each index", () => {
      synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `${synth.config.prefix}-table-transaction-conflicts`,
        Namespace: 'AWS/DynamoDB',
        MetricName: 'TransactionConflict',
        Dimensions: [{ Name: 'TableName', Value: { Ref: Match.stringLikeRegexp('^DataTable') } }],
        Statistic: 'Sum',
      });
      const [, throttles] = ofType(synth.resources, 'AWS::CloudWatch::Alarm').find(
        ([, alarm]) => alarm.Properties.AlarmName === `${synth.config.prefix}-table-throttles`,
      )!;
      const metrics = (
        throttles.Properties.Metrics as {
          MetricStat?: { Metric: { MetricName: string; Dimensions: { Name: string; Value: unknown }[] } };
        }[]
      ).flatMap((entry) => (entry.MetricStat ? [entry.MetricStat.Metric] : []));
      const indexes = metrics.flatMap((metric) =>
        metric.Dimensions.filter((dimension) => dimension.Name === 'GlobalSecondaryIndexName').map(
          (d) => d.Value,
        ),
      );
      expect(new Set(metrics.map((metric) => metric.MetricName))).toStrictEqual(
        new Set(['ReadThrottleEvents', 'WriteThrottleEvents']),
      );
      expect(new Set(indexes)).toStrictEqual(new Set(['queue', 'timers', 'by-status']));
      expect(metrics).toHaveLength(8);
    });

    it('shows the routing and SLA metrics on the dashboard', () => {
      const [, dashboard] = ofType(synth.resources, 'AWS::CloudWatch::Dashboard')[0]!;
      const body = JSON.stringify(dashboard.Properties.DashboardBody);
      for (const metric of ['TicketsRouted', 'TicketsCompleted', 'SlaBreached', 'TicketsParked']) {
        expect(body).toContain(`\\"Outroute\\",\\"${metric}\\",\\"service\\",\\"outroute\\"`);
      }
    });
  });

  describe('dashboard hosting', () => {
    it('keeps the buckets private, encrypted and TLS-only', () => {
      const buckets = ofType(synth.resources, 'AWS::S3::Bucket');
      expect(buckets).toHaveLength(3);
      for (const [, bucket] of buckets) {
        expect(bucket.Properties).toMatchObject({
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          BucketEncryption: { ServerSideEncryptionConfiguration: [expect.anything()] },
        });
      }
      for (const [, policy] of ofType(synth.resources, 'AWS::S3::BucketPolicy')) {
        expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
      }
    });

    it('serves the dashboard from S3 through OAC and the API paths from the HTTP API, uncached', () => {
      const [, distribution] = ofType(synth.resources, 'AWS::CloudFront::Distribution')[0]!;
      const config = distribution.Properties.DistributionConfig as {
        Origins: { Id: string; DomainName: unknown; OriginAccessControlId?: unknown }[];
        CacheBehaviors: {
          PathPattern: string;
          TargetOriginId: string;
          AllowedMethods: string[];
          CachePolicyId: string;
        }[];
      };
      const s3 = config.Origins.find((origin) => origin.OriginAccessControlId);
      const api = config.Origins.find((origin) => JSON.stringify(origin.DomainName).includes('execute-api'));
      expect(s3).toBeDefined();
      expect(api).toBeDefined();
      expect(config.CacheBehaviors.map((behavior) => behavior.PathPattern).sort()).toStrictEqual(
        ['/health', '/openapi.json', '/v1/*'].sort(),
      );
      for (const behavior of config.CacheBehaviors) {
        expect(behavior.TargetOriginId).toBe(api?.Id);
        expect(behavior.AllowedMethods).toContain('POST');
        expect(behavior.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // managed CachingDisabled
      }
    });

    it("answers an oversized body with the contract's 413 at the edge on every API path, not on the dashboard's", () => {
      const edgeFunctions = ofType(synth.resources, 'AWS::CloudFront::Function');
      expect(edgeFunctions).toHaveLength(1);
      const [logicalId, edgeFunction] = edgeFunctions[0]!;
      expect(edgeFunction.Properties).toMatchObject({
        AutoPublish: true,
        FunctionCode: bodyLimitFunctionSource(),
        FunctionConfig: { Runtime: 'cloudfront-js-2.0' },
      });
      const [, distribution] = ofType(synth.resources, 'AWS::CloudFront::Distribution')[0]!;
      type Behavior = { PathPattern?: string; FunctionAssociations?: unknown[] };
      const config = distribution.Properties.DistributionConfig as {
        DefaultCacheBehavior: Behavior;
        CacheBehaviors: Behavior[];
      };
      expect(config.CacheBehaviors.map((behavior) => behavior.PathPattern).sort()).toStrictEqual(
        ['/health', '/openapi.json', '/v1/*'].sort(),
      );
      for (const behavior of config.CacheBehaviors) {
        expect(behavior.FunctionAssociations, behavior.PathPattern).toStrictEqual([
          { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [logicalId, 'FunctionARN'] } },
        ]);
      }
      expect(config.DefaultCacheBehavior.FunctionAssociations).toBeUndefined();
    });
  });

  it('outputs the URLs and names an operator needs', () => {
    for (const output of ['ApiUrl', 'ClientApiUrl', 'DashboardUrl', 'IntakeQueueUrl', 'EventBusName'])
      synth.template.hasOutput(output, {});
  });

  it('lets dev stacks be destroyed and keeps logs two weeks', () => {
    expect(synth.resources[ofType(synth.resources, 'AWS::DynamoDB::Table')[0]![0]]?.DeletionPolicy).toBe(
      'Delete',
    );
    for (const [, group] of ofType(synth.resources, 'AWS::Logs::LogGroup')) {
      expect(group.Properties.RetentionInDays).toBe(14);
    }
  });
});

/** Actions AWS offers no resource-level permissions for. */
const RESOURCE_STAR_ALLOWED = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  // the stream event source (Lambda reads the stream with the function's role)
  'dynamodb:ListStreams',
  // CDK's BucketDeployment handler invalidating the dashboard distribution at deploy time
  'cloudfront:CreateInvalidation',
  'cloudfront:GetInvalidation',
]);

describe('the prod stack', () => {
  let synth: ReturnType<typeof synthesize>;
  beforeAll(() => {
    synth = synthesize({ stage: 'prod', alarmEmail: 'ops@example.com' });
  }, 120_000);

  it('is named outroute-prod and retains the table, keys and buckets', () => {
    expect(synth.stack.stackName).toBe('outroute-prod');
    for (const type of ['AWS::DynamoDB::Table', 'AWS::KMS::Key', 'AWS::S3::Bucket']) {
      for (const [id, resource] of ofType(synth.resources, type))
        expect(resource.DeletionPolicy, id).toBe('Retain');
    }
    synth.template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'outroute-prod-table',
      DeletionProtectionEnabled: true,
    });
    synth.template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  it('keeps logs a year and mails alarms to the address from the context', () => {
    for (const [, group] of ofType(synth.resources, 'AWS::Logs::LogGroup')) {
      expect(group.Properties.RetentionInDays).toBe(365);
    }
    synth.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });
});

describe('stage configuration', () => {
  it.each([
    [{}, 'dev'],
    [{ stage: 'prod' }, 'prod'],
  ])('reads %j as %s', (context, stage) => {
    expect(stageConfig(new App({ context }).node).stage).toBe(stage);
  });

  it.each([{ stage: 'staging' }, { alarmEmail: 'not-an-address' }])('refuses %j', (context) => {
    expect(() => stageConfig(new App({ context }).node)).toThrow();
  });
});

describe('webhook delivery', () => {
  const synth = synthesize();
  const mappingOf = (logicalId: string) =>
    ofType(synth.resources, 'AWS::Lambda::EventSourceMapping').find(
      ([, mapping]) => (mapping.Properties.FunctionName as { Ref: string }).Ref === logicalId,
    )?.[1];

  it('uses a FIFO queue with a FIFO DLQ, redriven after maxReceiveCount, KMS-encrypted', () => {
    synth.template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: `${synth.config.prefix}-webhooks.fifo`,
      FifoQueue: true,
      VisibilityTimeout: WEBHOOK_QUEUE.visibilityTimeoutSeconds,
      KmsMasterKeyId: Match.anyValue(),
      RedrivePolicy: {
        deadLetterTargetArn: Match.anyValue(),
        maxReceiveCount: WEBHOOK_QUEUE.maxReceiveCount,
      },
    });
    synth.template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: `${synth.config.prefix}-webhooks-dlq.fifo`,
      FifoQueue: true,
      KmsMasterKeyId: Match.anyValue(),
    });
  });

  it('feeds the delivery function from the queue with partial batch failures and bounded concurrency', () => {
    const deliver = synth.stack.webhooks.deliver;
    const logicalId = synth.stack.getLogicalId(deliver.fn.node.defaultChild as never);
    const mapping = mappingOf(logicalId);
    expect(mapping?.Properties).toMatchObject({
      BatchSize: WEBHOOK_QUEUE.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
    const fn = synth.resources[logicalId]!;
    expect(fn.Properties.Timeout).toBe(WEBHOOK_QUEUE.consumerTimeoutSeconds);
    const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(Object.keys(variables)).toEqual(expect.arrayContaining(['WEBHOOK_QUEUE_URL', 'WEBHOOK_DLQ_URL']));
    // In AWS the URL policy is the strict default: https only, no private, link-local or metadata addresses.
    expect(variables.WEBHOOK_URL_POLICY).toBeUndefined();
  });

  it('lets only the stream consumer enqueue deliveries and only the delivery function dead-letter them', () => {
    const queueId = synth.stack.getLogicalId(synth.stack.webhookQueues.queue.node.defaultChild as never);
    const dlqId = synth.stack.getLogicalId(
      synth.stack.webhookQueues.deadLetterQueue.node.defaultChild as never,
    );
    const policies = ofType(synth.resources, 'AWS::IAM::Policy').map(([, policy]) => policy);
    const sendersTo = (queue: string) =>
      policies
        .filter((policy) =>
          (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.some(
            (statement) =>
              actionsOf(statement).includes('sqs:SendMessage') &&
              JSON.stringify(statement.Resource).includes(queue),
          ),
        )
        .flatMap((policy) => (policy.Properties.Roles as { Ref: string }[]).map((role) => role.Ref));
    const roleOf = (entry: string) =>
      synth.stack.getLogicalId(
        synth.stack.functions.find((fn) => fn.entry === entry)!.fn.role!.node.defaultChild as never,
      );
    expect(sendersTo(queueId)).toStrictEqual([roleOf('stream/process-changes')]);
    expect(sendersTo(dlqId)).toStrictEqual([roleOf('queue/deliver-webhooks')]);
  });

  it('alarms on dead letters, the failure rate and function errors, to the alarm topic', () => {
    const alarms = ofType(synth.resources, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    const names = alarms.map((alarm) => alarm.AlarmName);
    for (const name of ['webhook-dlq-not-empty', 'webhook-failure-rate', 'webhook-delivery-errors'])
      expect(names).toContain(`${synth.config.prefix}-${name}`);
    for (const alarm of alarms.filter((candidate) => String(candidate.AlarmName).includes('webhook')))
      expect(alarm.AlarmActions).toHaveLength(1);
  });
});
