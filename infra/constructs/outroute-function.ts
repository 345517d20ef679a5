// The defaults every Outroute function shares, in one place: Node 24 on arm64,
// an esbuild ESM bundle (minified, source maps), X-Ray tracing, Powertools
// settings, its own log group and role, and the grants of its ACCESS line.
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { StageConfig } from '../stage-config.js';
import { accessOf, type Entry, type Platform, wireAccess } from './access.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** What every function is built with. */
export interface FunctionContext {
  config: StageConfig;
  platform: Platform;
}

export interface OutrouteFunctionProps extends FunctionContext {
  /** The handler file below functions/, without extension. */
  entry: Entry;
  /** @default 512 */
  memorySize?: number;
  /** @default 10 seconds */
  timeout?: Duration;
  /** Concurrency held for this function alone, so an HTTP burst cannot throttle it (stage config). */
  reservedConcurrency?: number;
  /** Variables beyond the ones every function gets. */
  environment?: Record<string, string>;
}

/** `http/create-ticket` -> `CreateTicket` (construct ids). */
export const constructIdOf = (entry: string) =>
  (entry.split('/').pop() ?? entry)
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');

/** `http/create-ticket` -> `outroute-dev-http-create-ticket`. */
export const functionNameOf = (config: StageConfig, entry: string) =>
  `${config.prefix}-${entry.replaceAll('/', '-')}`;

export class OutrouteFunction extends Construct {
  readonly entry: Entry;
  readonly fn: NodejsFunction;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: OutrouteFunctionProps) {
    super(scope, id);
    const { config, platform, entry } = props;
    this.entry = entry;
    const functionName = functionNameOf(config, entry);
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${functionName}`,
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    // Its own role without AWSLambdaBasicExecutionRole: it writes to its own log group only.
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${functionName}: ${entry}`,
    });
    this.logGroup.grantWrite(role);
    this.fn = new NodejsFunction(this, 'Function', {
      functionName,
      description: `functions/${entry}.ts`,
      entry: `${ROOT}functions/${entry}.ts`,
      handler: 'handler',
      projectRoot: ROOT,
      depsLockFilePath: `${ROOT}package-lock.json`,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: {
        TABLE_NAME: platform.table.tableName,
        // functions/lib/env.ts requires it of every function that builds the app context
        ROUTING_QUEUE_URL: platform.routingQueue.queueUrl,
        POWERTOOLS_SERVICE_NAME: 'outroute',
        POWERTOOLS_METRICS_NAMESPACE: 'Outroute',
        NODE_OPTIONS: '--enable-source-maps',
        AUDIT_RETENTION_DAYS: String(config.auditRetentionDays),
        INTAKE_SOURCE_RATE: String(config.intake.perSourcePerSecond),
        INTAKE_GLOBAL_RATE: String(config.intake.globalPerSecond),
        ...props.environment,
      },
      reservedConcurrentExecutions: props.reservedConcurrency,
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // The SDK versions the tests ran with, not whatever the runtime ships.
        bundleAwsSDK: true,
        // Some CommonJS dependencies call require() for Node built-ins.
        banner: "import{createRequire}from'node:module';const require=createRequire(import.meta.url);",
      },
    });
    wireAccess(this.fn, accessOf(entry), platform);
  }
}
