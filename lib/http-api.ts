/**
 * The HTTP API (payload format 2.0). Its routes come from lambdas/handlers/routes.ts, the list the
 * local gateway serves too: management routes use IAM authorization, alert routes none (their
 * senders authenticate in the payload, with an integration key).
 */
import { Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type FunctionName, HTTP_ROUTES, type HttpRoute } from '../lambdas/handlers/routes.js';

export interface KlaxonHttpApiProps {
  /** The API's name in the API Gateway console. */
  readonly apiName: string;
  /** The function that serves each `function` named in HTTP_ROUTES. */
  readonly handlers: Record<FunctionName, lambda.IFunction>;
  /**
   * Stage-wide throttling: a runaway alert sender must not exhaust the account's Lambda concurrency.
   * @default { rateLimit: 50, burstLimit: 100 }
   */
  readonly throttle?: apigwv2.ThrottleSettings;
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
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 50, burstLimit: 100 },
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
    const authorizers: Record<HttpRoute['auth'], apigwv2.IHttpRouteAuthorizer> = {
      iam: new HttpIamAuthorizer(),
      sender: new apigwv2.HttpNoneAuthorizer(),
    };
    for (const route of HTTP_ROUTES) {
      const [added] = this.api.addRoutes({
        path: route.path,
        methods: [apigwv2.HttpMethod[route.method]],
        integration: integrationFor(route.function),
        authorizer: authorizers[route.auth],
      });
      if (added && route.auth === 'sender') {
        Validations.of(added).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'An alert route: its senders (monitoring tools, SNS) cannot sign AWS requests, so they authenticate in the payload (an integration key, or an SNS signature checked against the allowed topics).',
        });
      }
    }
  }

  /** `https://<id>.execute-api.<region>.amazonaws.com`, no trailing slash: the base of every route. */
  get baseUrl(): string {
    return this.api.apiEndpoint;
  }
}
