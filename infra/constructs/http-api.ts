// The HTTP API from the one route table (infra/routes.ts): a function per
// route entry, the API-key Lambda authorizer on every route that is not
// 'public', stage throttling and JSON access logs.
import { Duration } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  type HttpRoute,
  HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROUTES, routeKeyOf } from '../routes.js';
import type { RouteEntry } from './access.js';
import { constructIdOf, type FunctionContext, OutrouteFunction } from './outroute-function.js';

/** Handlers that read or write many items per request get more memory (CPU) and time (the integration limit is 30 s). */
const HEAVY: readonly RouteEntry[] = [
  'http/create-ticket-batch',
  'http/get-backlog',
  'http/get-provider-metrics',
];

/**
 * How long API Gateway caches the authorizer's answer per Authorization header: not at all. An HTTP API
 * caches every answer, "anonymous" included, so any TTL would refuse a key issued a moment after a
 * failed attempt and let a revoked key work on; the price is one authorizer call (one consistent read)
 * per request.
 */
export const AUTHORIZER_CACHE_TTL = Duration.seconds(0);

/**
 * One JSON line per request. `status` is a number so a metric filter can
 * count 429s; the authorizer's context shows who called.
 */
const ACCESS_LOG_FORMAT = `{${[
  '"requestId":"$context.requestId"',
  '"ip":"$context.identity.sourceIp"',
  '"requestTime":"$context.requestTime"',
  '"routeKey":"$context.routeKey"',
  '"status":$context.status',
  '"protocol":"$context.protocol"',
  '"responseLength":"$context.responseLength"',
  '"responseLatency":"$context.responseLatency"',
  '"integrationLatency":"$context.integrationLatency"',
  '"integrationError":"$context.integrationErrorMessage"',
  '"authorizerError":"$context.authorizer.error"',
  '"errorType":"$context.error.responseType"',
  '"role":"$context.authorizer.role"',
  '"sourceId":"$context.authorizer.sourceId"',
  '"providerId":"$context.authorizer.providerId"',
].join(',')}}`;

export class OutrouteHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  readonly authorizer: OutrouteFunction;
  /** One function per route entry. */
  readonly routeFunctions = new Map<RouteEntry, OutrouteFunction>();
  /** By route key (`GET /health`). */
  readonly routes = new Map<string, HttpRoute>();

  constructor(scope: Construct, id: string, context: FunctionContext) {
    super(scope, id);
    const { config } = context;
    this.api = new HttpApi(this, 'Api', {
      apiName: `${config.prefix}-api`,
      description: 'Outroute HTTP API',
      createDefaultStage: false,
    });
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      logGroupName: `/${config.prefix}/api-access`,
      retention: config.logRetention,
      removalPolicy: config.removalPolicy,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: config.apiThrottle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(ACCESS_LOG_FORMAT),
      },
    });

    this.authorizer = new OutrouteFunction(this, 'Authorize', {
      ...context,
      entry: 'auth/authorize',
      memorySize: 256,
      timeout: Duration.seconds(5),
    });
    const apiKeys = new HttpLambdaAuthorizer('ApiKeyAuthorizer', this.authorizer.fn, {
      authorizerName: `${config.prefix}-api-key`,
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: AUTHORIZER_CACHE_TTL,
    });
    const noAuthorizer = new HttpNoneAuthorizer();

    for (const route of ROUTES) {
      const handler = this.functionFor(route.entry, context);
      const authorizer: IHttpRouteAuthorizer = route.roles === 'public' ? noAuthorizer : apiKeys;
      const [added] = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${constructIdOf(route.entry)}Integration`, handler.fn),
        authorizer,
      });
      if (added) this.routes.set(routeKeyOf(route), added);
    }
  }

  private functionFor(entry: RouteEntry, context: FunctionContext): OutrouteFunction {
    let handler = this.routeFunctions.get(entry);
    if (!handler) {
      const heavy = HEAVY.includes(entry);
      handler = new OutrouteFunction(this, constructIdOf(entry), {
        ...context,
        entry,
        memorySize: heavy ? 1024 : 512,
        timeout: Duration.seconds(heavy ? 29 : 10),
      });
      this.routeFunctions.set(entry, handler);
    }
    return handler;
  }
}
