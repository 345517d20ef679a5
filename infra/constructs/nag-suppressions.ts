// Every cdk-nag (AwsSolutions) finding this stack accepts, each on one
// construct, for one rule or one listed finding, with the reason. Anything
// not acknowledged here fails `cdk synth` and test/infra/nag.test.ts.
import { type CfnElement, DefaultStackSynthesizer, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { ROUTES, routeKeyOf } from '../routes.js';
import type { OutrouteStack } from '../stack.js';
import { accessOf } from './access.js';

export interface Suppression {
  /** Construct path the acknowledgement is attached to. */
  path: string;
  id: string;
  reason: string;
}

/** What was acknowledged, for the report and the tests. */
export const suppressionsOf = new WeakMap<OutrouteStack, Suppression[]>();

export function applyNagSuppressions(stack: OutrouteStack): void {
  const applied: Suppression[] = [];
  suppressionsOf.set(stack, applied);
  const acknowledge = (scope: IConstruct, id: string, reason: string) => {
    Validations.of(scope).acknowledge({ id, reason });
    applied.push({ path: scope.node.path, id, reason });
  };
  const ref = (construct: IConstruct) =>
    stack.resolve((construct.node.defaultChild as CfnElement).logicalId) as string;
  const tableArn = `<${ref(stack.data.table)}.Arn>`;

  // Function roles: only the wildcards AWS or CDK's grant methods impose.
  for (const { entry, fn } of stack.functions) {
    const policy = fn.role?.node.tryFindChild('DefaultPolicy');
    if (!policy) continue;
    const access = accessOf(entry);
    acknowledge(
      policy,
      'AwsSolutions-IAM5[Resource::*]',
      entry === 'stream/process-changes'
        ? 'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) and dynamodb:ListStreams (the stream event source) support no resource-level permissions: AWS requires Resource "*". Every other action is on named resources.'
        : 'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) support no resource-level permissions: AWS requires Resource "*". Every other action is on named resources.',
    );
    if (access.table === 'read' || access.table === 'readWrite') {
      acknowledge(
        policy,
        `AwsSolutions-IAM5[Resource::${tableArn}/index/*]`,
        "The handler queries the table's GSIs (queue, timers, by-status); the grant names this table's own indexes only.",
      );
    }
    if (
      access.table === 'readWrite' ||
      access.routingQueue === 'send' ||
      access.intakeDeadLetters === 'send'
    ) {
      const reason =
        'Writing to the KMS-encrypted table or queues: the table/queue grant adds this action family on the one platform key ARN, nothing else.';
      acknowledge(policy, 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason);
      acknowledge(policy, 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', reason);
    }
  }

  // The stream consumer's on-failure destination: CDK's S3OnFailureDestination grants the function
  // read/write on that one bucket (Lambda's service writes the failed batches under the function's role).
  const streamPolicy = stack.consumers.stream.fn.role?.node.tryFindChild('DefaultPolicy');
  if (streamPolicy) {
    const reason =
      "Imposed by CDK's S3OnFailureDestination (bucket.grantReadWrite) on the stream-failures bucket alone: Lambda writes a failed stream batch there under the function's role.";
    for (const action of ['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*'])
      acknowledge(streamPolicy, `AwsSolutions-IAM5[Action::${action}]`, reason);
    acknowledge(
      streamPolicy,
      `AwsSolutions-IAM5[Resource::<${ref(stack.queues.streamFailures)}.Arn>/*]`,
      reason,
    );
  }

  // EventBridge Scheduler's role for the sweeper target.
  const schedulerRole = stack.node.children.find((child) =>
    child.node.id.startsWith('SchedulerRoleForTarget-'),
  );
  const schedulerPolicy = schedulerRole?.node.tryFindChild('DefaultPolicy');
  if (schedulerPolicy) {
    acknowledge(
      schedulerPolicy,
      `AwsSolutions-IAM5[Resource::<${ref(stack.sweeper.sweep.fn)}.Arn>:*]`,
      "LambdaInvoke grants lambda:InvokeFunction on the sweeper and its versions/aliases (ARN + ':*'); no other function.",
    );
  }

  // The cursor-signing secret.
  acknowledge(
    stack.cursorSecret,
    'AwsSolutions-SMG4',
    'The HMAC key that signs list cursors only (integrity of pagination, no access to data): rotating it would just invalidate open cursors. Replace it by redeploying with a new secret if it ever leaks.',
  );

  // The stream consumer's on-failure destination.
  acknowledge(
    stack.queues.streamFailures,
    'AwsSolutions-S1',
    'Written only by the Lambda service (the stream event source on-failure destination) and read by operators redriving; KMS-encrypted, TLS only, no public access; CloudTrail records API access.',
  );

  // Public routes of the contract (API.md): health checks and the API description.
  for (const route of ROUTES.filter((definition) => definition.roles === 'public')) {
    const httpRoute = stack.http.routes.get(routeKeyOf(route));
    if (!httpRoute) throw new Error(`no HTTP route for ${routeKeyOf(route)}`);
    acknowledge(
      httpRoute,
      'AwsSolutions-APIG4',
      `${routeKeyOf(route)} is public by contract (roles 'public' in infra/routes.ts): it returns no tenant data and must answer load balancers and tools without a key.`,
    );
  }

  // The dashboard distribution.
  const distribution = stack.hosting.distribution;
  acknowledge(
    distribution,
    'AwsSolutions-CFR1',
    'Operators and BPO providers work from many countries (follow-the-sun); every API path needs an API key, and the static dashboard holds no data.',
  );
  acknowledge(
    distribution,
    'AwsSolutions-CFR2',
    'No WAF web ACL by default (about $5/month plus rules): API calls need an API key and the HTTP API stage is throttled. Attach a web ACL for internet-facing production use.',
  );
  acknowledge(
    distribution,
    'AwsSolutions-CFR4',
    'The distribution uses the default *.cloudfront.net certificate, for which CloudFront fixes the minimum viewer protocol; with a custom domain and ACM certificate set minimumProtocolVersion TLSv1.2_2021.',
  );

  // CDK's BucketDeployment handler (deploy-time only: copies dashboard/ into the bucket, invalidates the CDN).
  if (stack.hosting.deployment) {
    const handler = stack.node.children.find((child) =>
      child.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    const role = handler?.node.tryFindChild('ServiceRole');
    const policy = role?.node.tryFindChild('DefaultPolicy');
    if (!handler || !role || !policy) throw new Error('the BucketDeployment handler was not found');
    const cdkManaged = 'CDK-managed BucketDeployment handler, run only at deploy time';
    acknowledge(
      handler,
      'AwsSolutions-L1',
      `${cdkManaged}: aws-cdk-lib pins its runtime (Python, with the AWS CLI layer); it updates with aws-cdk-lib.`,
    );
    acknowledge(
      role,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      `${cdkManaged}: CDK attaches the basic execution role (its own logs) and does not expose it.`,
    );
    const qualifier =
      (stack.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') as string | undefined) ??
      DefaultStackSynthesizer.DEFAULT_QUALIFIER;
    const s3Reason = `${cdkManaged}: reads the dashboard asset from the CDK bootstrap bucket and syncs it into the dashboard bucket (objects, prune, multipart abort).`;
    for (const id of [
      'Action::s3:GetBucket*',
      'Action::s3:GetObject*',
      'Action::s3:List*',
      'Action::s3:Abort*',
      'Action::s3:DeleteObject*',
      `Resource::arn:<AWS::Partition>:s3:::cdk-${qualifier}-assets-<AWS::AccountId>-<AWS::Region>/*`,
      `Resource::<${ref(stack.hosting.bucket)}.Arn>/*`,
    ]) {
      acknowledge(policy, `AwsSolutions-IAM5[${id}]`, s3Reason);
    }
    acknowledge(
      policy,
      'AwsSolutions-IAM5[Resource::*]',
      `${cdkManaged}: CDK grants cloudfront:CreateInvalidation/GetInvalidation on "*" to invalidate the dashboard distribution after a deploy.`,
    );
  }
}
