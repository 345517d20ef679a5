// The operations dashboard: static files in a private S3 bucket behind
// CloudFront (origin access control). The API's paths go to the HTTP API
// through the same distribution, so the dashboard calls it same-origin and
// needs no CORS. The API behaviors answer an oversized body with the contract's
// 413 at the edge (edge-body-limit.ts).
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  type BehaviorOptions,
  CachePolicy,
  Distribution,
  FunctionEventType,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { ROUTES } from '../routes.js';
import type { StageConfig } from '../stage-config.js';
import { bodyLimitFunction } from './edge-body-limit.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DASHBOARD_DIR = `${ROOT}dashboard`;
/** Served at /vendor/chart.umd.min.js, as the local runtime does (infra/local/dashboard-site.ts). */
const CHART_JS = `${ROOT}node_modules/chart.js/dist/chart.umd.min.js`;

/** The distribution paths that belong to the API, from the route table: `/v1/*` plus each other path. */
export const apiPathPatterns = () => [
  ...new Set(ROUTES.map((route) => (route.path.startsWith('/v1/') ? '/v1/*' : route.path))),
];

export class DashboardHosting extends Construct {
  readonly bucket: Bucket;
  readonly logBucket: Bucket;
  readonly distribution: Distribution;
  readonly deployment?: BucketDeployment;

  constructor(scope: Construct, id: string, props: { config: StageConfig; api: IHttpApi }) {
    super(scope, id);
    const { config } = props;
    const destroy = config.removalPolicy === RemovalPolicy.DESTROY;
    const privateBucket = {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      removalPolicy: config.removalPolicy,
      autoDeleteObjects: destroy,
    };
    // S3 server access logs and CloudFront standard logs. CloudFront's log
    // delivery writes with ACLs, hence BUCKET_OWNER_PREFERRED.
    this.logBucket = new Bucket(this, 'AccessLogs', {
      ...privateBucket,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(config.logRetention) }],
    });
    this.bucket = new Bucket(this, 'Site', {
      ...privateBucket,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 's3/',
    });

    const stack = Stack.of(this);
    const apiBehavior: BehaviorOptions = {
      origin: new HttpOrigin(`${props.api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`, {
        protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
        originSslProtocols: [OriginSslPolicy.TLS_V1_2],
      }),
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      // Never cached; with caching off, this managed policy forwards the Authorization header.
      cachePolicy: CachePolicy.CACHING_DISABLED,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      // A body Lambda could not take (over 6 MB, up to the HTTP API's 10 MB) would get a gateway error.
      functionAssociations: [
        { function: bodyLimitFunction(this, 'ApiBodyLimit'), eventType: FunctionEventType.VIEWER_REQUEST },
      ],
    };
    this.distribution = new Distribution(this, 'Distribution', {
      comment: `${config.prefix} dashboard and API`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
      },
      additionalBehaviors: Object.fromEntries(apiPathPatterns().map((path) => [path, apiBehavior])),
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
    });

    // The dashboard folder is written alongside this stack; without it there
    // is nothing to deploy yet, so the deployment is left out rather than
    // failing the synth (the bucket and distribution still come up).
    if (existsSync(DASHBOARD_DIR)) {
      this.deployment = new BucketDeployment(this, 'Deployment', {
        sources: [
          Source.asset(DASHBOARD_DIR),
          Source.data('vendor/chart.umd.min.js', readFileSync(CHART_JS, 'utf8')),
        ],
        destinationBucket: this.bucket,
        cacheControl: [CacheControl.maxAge(Duration.minutes(5))],
        distribution: this.distribution,
        distributionPaths: ['/*'],
        memoryLimit: 256,
        logGroup: new LogGroup(this, 'DeploymentLogs', {
          retention: config.logRetention,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
      });
    }
  }
}
