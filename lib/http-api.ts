/**
 * The HTTP API (payload format 2.0). Its routes come from lambdas/handlers/routes.ts, the list the
 * local gateway serves too: management routes use IAM authorization, console routes the sign-in
 * authorizer (the session cookie), alert routes none (their senders authenticate in the payload,
 * with an integration key), and the two sign-in steps none (they only redirect).
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import {
  HttpIamAuthorizer,
  HttpLambdaAuthorizer,
  HttpLambdaResponseType,
} from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  type FunctionName,
  HTTP_ROUTES,
  type HttpRoute,
  type RouteGroup,
  routeGroup,
  routeKey,
} from '../lambdas/handlers/routes.js';

/**
 * Requests per second (steady, and burst) for each route of a group: API Gateway keeps a bucket
 * per route, so a flood on one route throttles that route alone. Alert intake gets the most room
 * (an alarm storm must get through, and senders retry a 429); the routes people use get what a
 * few people and the CLI's paging need, which also bounds what a stranger can make Lambda spend.
 */
export const DEFAULT_ROUTE_THROTTLES: Readonly<Record<RouteGroup, apigwv2.ThrottleSettings>> = {
  'alert-intake': { rateLimit: 100, burstLimit: 200 },
  'ack-links': { rateLimit: 50, burstLimit: 100 },
  console: { rateLimit: 50, burstLimit: 100 },
  management: { rateLimit: 50, burstLimit: 100 },
};

export interface KlaxonHttpApiProps {
  /** The API's name in the API Gateway console. */
  readonly apiName: string;
  /** The function that serves each `function` named in HTTP_ROUTES. */
  readonly handlers: Record<FunctionName, lambda.IFunction>;
  /**
   * The console routes' Lambda authorizer (ConsoleSignIn): it verifies the session cookie and
   * names the signed-in responder.
   */
  readonly consoleAuthorizer: lambda.IFunction;
  /**
   * Throttling per route group (see ROUTE_GROUPS): each route of a group gets these limits, so
   * an unauthenticated flood on one route cannot starve alert senders, ack links and the CLI
   * together, and a runaway sender cannot exhaust the account's Lambda concurrency. Groups left
   * out keep their default.
   * @default DEFAULT_ROUTE_THROTTLES
   */
  readonly throttles?: Partial<Record<RouteGroup, apigwv2.ThrottleSettings>>;
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly accessLogRetention?: logs.RetentionDays;
}

/** One JSON object per request; field names are ours, values are API Gateway's $context variables. */
const ACCESS_LOG_FORMAT = apigateway.AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    routeKey: '$context.routeKey',
    status: '$context.status',
    sourceIp: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    caller: '$context.identity.userArn',
    responseLength: '$context.responseLength',
    latencyMs: '$context.responseLatency',
    integrationLatencyMs: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
  }),
);

export class KlaxonHttpApi extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: KlaxonHttpApiProps) {
    super(scope, id);
    this.api = new apigwv2.HttpApi(this, 'Api', {
      apiName: props.apiName,
      description: 'Klaxon: alert intake and incident management',
      // Created below, with throttling and access logs.
      createDefaultStage: false,
    });
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? logs.RetentionDays.THREE_MONTHS,
    });
    const throttles = { ...DEFAULT_ROUTE_THROTTLES, ...props.throttles };
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      // Every route has its group's settings below; this only covers a route that had none.
      throttle: leastOf(Object.values(throttles)),
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: ACCESS_LOG_FORMAT,
      },
    });

    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    const integrationFor = (name: FunctionName) => {
      const integration =
        integrations.get(name) ??
        new HttpLambdaIntegration(`${name}Integration`, props.handlers[name], {
          payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
        });
      integrations.set(name, integration);
      return integration;
    };
    const none = new apigwv2.HttpNoneAuthorizer();
    const authorizers: Record<HttpRoute['auth'], apigwv2.IHttpRouteAuthorizer> = {
      iam: new HttpIamAuthorizer(),
      session: new HttpLambdaAuthorizer('ConsoleSession', props.consoleAuthorizer, {
        authorizerName: 'console-session',
        // A browser sends its session as a cookie, never an Authorization header; no Cookie
        // header at all is answered 401 without invoking the function.
        identitySource: ['$request.header.Cookie'],
        responseTypes: [HttpLambdaResponseType.SIMPLE],
        // Not cached: a session stops at its expiry, not up to a cache's lifetime later.
        resultsCacheTtl: Duration.seconds(0),
      }),
      'sign-in': none,
      sender: none,
    };
    const stage = this.stage.node.defaultChild as apigwv2.CfnStage;
    const routeSettings: Record<string, { ThrottlingRateLimit?: number; ThrottlingBurstLimit?: number }> = {};
    for (const route of HTTP_ROUTES) {
      const { rateLimit, burstLimit } = throttles[routeGroup(route)];
      routeSettings[routeKey(route)] = { ThrottlingRateLimit: rateLimit, ThrottlingBurstLimit: burstLimit };
      const [added] = this.api.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration: integrationFor(route.function),
        authorizer: authorizers[route.auth],
      });
      // CloudFormation refuses settings for a route key that does not exist yet.
      if (added) stage.addResourceDependency(added.node.defaultChild as apigwv2.CfnRoute);
      if (added && route.auth === 'sign-in') {
        Validations.of(added).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'A step of signing in to the console: a browser without a session starts here (a redirect to the managed login) and comes back here with the code to exchange; it acts on nothing.',
        });
      }
      if (added && route.auth === 'sender') {
        Validations.of(added).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'An alert route: its senders (monitoring tools, SNS) cannot sign AWS requests, so they authenticate in the payload (an integration key, or an SNS signature checked against the allowed topics).',
        });
      }
    }
    // A JSON map in CloudFormation, passed through as written: hence the PascalCase keys.
    stage.routeSettings = routeSettings;
  }

  /** `https://<id>.execute-api.<region>.amazonaws.com`, no trailing slash: the base of every route. */
  get baseUrl(): string {
    return this.api.apiEndpoint;
  }
}

/** The lowest rate and burst of the groups' settings. */
function leastOf(settings: readonly apigwv2.ThrottleSettings[]): apigwv2.ThrottleSettings {
  const least = (values: (number | undefined)[]) => Math.min(...values.filter((v) => v !== undefined));
  return { rateLimit: least(settings.map((s) => s.rateLimit)), burstLimit: least(settings.map((s) => s.burstLimit)) };
}
