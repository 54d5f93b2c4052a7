import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { HTTP_ROUTES, ROUTE_GROUPS, routeGroup, routeKey } from '../../lambdas/handlers/routes.js';
import { KlaxonHttpApi } from '../../lib/http-api.js';
import { logicalIdOf, render, resourceOf, resourcesOfType, sharedKlaxon } from './klaxon-template.js';

const { stack, klaxon, template } = sharedKlaxon();
const idOf = (construct: Parameters<typeof logicalIdOf>[1]) => logicalIdOf(stack, construct);
const functionIds = {
  intake: idOf(klaxon.intake.function),
  'incidents-api': idOf(klaxon.management.function),
  'web-console': idOf(klaxon.management.consoleFunction),
};

/** Route key → [authorization type, logical id of the function its integration invokes, authorizer id if any]. */
function routeTable(): Record<string, string[]> {
  return Object.fromEntries(
    resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(([, route]) => {
      const target = render(route.Properties.Target); // integrations/<IntegrationId>
      const integration = resourceOf(template, target.replace(/^integrations\/<(.+)>$/, '$1'));
      const functionArn = render(integration.Properties.IntegrationUri); // <FunctionId.Arn>
      const authorizer = route.Properties.AuthorizerId ? render(route.Properties.AuthorizerId).slice(1, -1) : undefined;
      return [
        route.Properties.RouteKey as string,
        [route.Properties.AuthorizationType as string, functionArn.slice(1, -5), ...(authorizer ? [authorizer] : [])],
      ];
    }),
  );
}

describe('the HTTP API', () => {
  it('puts every console route behind the sign-in authorizer, every management route behind IAM, and leaves only alert senders, ack links and the two sign-in steps open', () => {
    // Alert senders authenticate in the payload (a heartbeat ping with its key); a responder's ack link carries its own signed
    // token; the sign-in steps only redirect (to the managed login, and home with the cookie).
    const senderRoute =
      /^(POST \/(v1\/alerts\/[a-z]+|v2\/(change\/)?enqueue)|(GET|POST) \/v1\/(ack\/\{token\}|heartbeats\/\{monitor\}))$/;
    const signInStep = /^GET \/auth\/(sign-in|callback)$/;
    const consoleRoute = /^(GET|POST) \/(?!v1\/|v2\/)/;
    const [sessionAuthorizer] = resourcesOfType(template, 'AWS::ApiGatewayV2::Authorizer').map(([id]) => id);
    const authorization = Object.entries(routeTable()).map(([key, [auth, , authorizer]]) => [key, auth, authorizer]);
    expect(authorization).toEqual(
      authorization.map(([key = '']) =>
        senderRoute.test(key) || signInStep.test(key)
          ? [key, 'NONE', undefined]
          : consoleRoute.test(key)
            ? [key, 'CUSTOM', sessionAuthorizer]
            : [key, 'AWS_IAM', undefined],
      ),
    );
    expect(authorization.filter(([, auth]) => auth === 'CUSTOM').map(([key]) => key)).toEqual(
      expect.arrayContaining([
        'GET /',
        'POST /incidents/{id}/acknowledge',
        'POST /incidents/{id}/take',
        'POST /auth/sign-out',
      ]),
    );
    expect(authorization.filter(([, auth]) => auth === 'NONE').map(([key]) => key)).toEqual(
      expect.arrayContaining([
        'POST /v1/alerts/events',
        'POST /v2/enqueue',
        'POST /v1/alerts/cloudwatch',
        'GET /auth/callback',
      ]),
    );
  });

  it('verifies the session cookie in a Lambda authorizer on every request, not from a cache', () => {
    const authorizers = resourcesOfType(template, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizers).toHaveLength(1);
    const [, authorizer] = authorizers[0] as (typeof authorizers)[number];
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      IdentitySource: ['$request.header.Cookie'],
      EnableSimpleResponses: true,
      AuthorizerResultTtlInSeconds: 0,
      AuthorizerPayloadFormatVersion: '2.0',
    });
    expect(render(authorizer.Properties.AuthorizerUri)).toContain(idOf(klaxon.signIn.authorizerFunction));
  });

  it('serves exactly the routes the local gateway serves (lambdas/handlers/routes.ts)', () => {
    const [sessionAuthorizer] = resourcesOfType(template, 'AWS::ApiGatewayV2::Authorizer').map(([id]) => id);
    const expected = Object.fromEntries(
      HTTP_ROUTES.map((route) => [
        `${route.method} ${route.path}`,
        route.auth === 'session'
          ? ['CUSTOM', functionIds[route.function], sessionAuthorizer]
          : [route.auth === 'iam' ? 'AWS_IAM' : 'NONE', functionIds[route.function]],
      ]),
    );
    expect(routeTable()).toEqual(expected);
  });

  it('invokes the functions with payload format 2.0, one integration per function', () => {
    const integrations = resourcesOfType(template, 'AWS::ApiGatewayV2::Integration');
    expect(integrations).toHaveLength(3);
    for (const [, integration] of integrations) {
      expect(integration.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    }
  });

  it('throttles and logs every request on its auto-deployed default stage', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    const stage = resourceOf(template, idOf(klaxon.httpApi.stage)).Properties;
    expect(stage).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      // The least of the groups' limits, for a route that has no settings of its own (none has).
      DefaultRouteSettings: { ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 },
    });
    const accessLogs = stage.AccessLogSettings as { DestinationArn: unknown; Format: string };
    expect(render(accessLogs.DestinationArn)).toBe(`<${idOf(klaxon.httpApi.accessLogs)}.Arn>`);
    expect(JSON.parse(accessLogs.Format)).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    expect(resourceOf(template, idOf(klaxon.httpApi.accessLogs)).Properties.RetentionInDays).toBe(90);
  });

  it('outputs its URL', () => {
    expect(render(template.findOutputs('ApiUrl').ApiUrl?.Value)).toBe(
      `https://<${idOf(klaxon.httpApi.api)}>.execute-api.<AWS::Region>.<AWS::URLSuffix>/`,
    );
  });
});

describe('throttling per route group', () => {
  const stageOf = (t: Template) => onlyStage(t).Properties;
  const onlyStage = (t: Template) => {
    const stages = resourcesOfType(t, 'AWS::ApiGatewayV2::Stage');
    expect(stages).toHaveLength(1);
    return (stages[0] as (typeof stages)[number])[1];
  };
  const limits = (rate: number, burst: number) => ({ ThrottlingRateLimit: rate, ThrottlingBurstLimit: burst });

  it('gives every route a group, and a route added to the table lands in its group by who calls it', () => {
    expect(HTTP_ROUTES.filter((route) => !ROUTE_GROUPS.includes(routeGroup(route)))).toEqual([]);
    for (const group of ROUTE_GROUPS) expect(HTTP_ROUTES.some((route) => routeGroup(route) === group)).toBe(true);
    // Events v2 change events, as the route table would list them.
    expect(routeGroup({ function: 'intake', auth: 'sender' })).toBe('alert-intake');
  });

  it('throttles each route on its own with its group’s limits, so a flood on one cannot starve the others', () => {
    const settings = stageOf(template).RouteSettings as Record<string, unknown>;
    const routeKeys = resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties.RouteKey);
    expect(Object.keys(settings).sort()).toEqual([...routeKeys].sort());
    const byGroup = {
      'alert-intake': limits(100, 200),
      'ack-links': limits(50, 100),
      console: limits(50, 100),
      management: limits(50, 100),
    };
    expect(settings).toEqual(
      Object.fromEntries(HTTP_ROUTES.map((route) => [routeKey(route), byGroup[routeGroup(route)]])),
    );
    expect(settings).toMatchObject({
      'POST /v1/alerts/events': limits(100, 200),
      'POST /v2/enqueue': limits(100, 200),
      'POST /v1/alerts/cloudwatch': limits(100, 200),
      'POST /v1/alerts/alertmanager': limits(100, 200),
      'GET /v1/ack/{token}': limits(50, 100),
      'POST /v1/ack/{token}': limits(50, 100),
      'GET /': limits(50, 100),
      'POST /incidents/{id}/acknowledge': limits(50, 100),
      'GET /v1/incidents': limits(50, 100),
      'POST /v1/services/{name}/maintenance': limits(50, 100),
    });
  });

  it('creates the stage after the routes its settings name (CloudFormation refuses unknown route keys)', () => {
    const routeIds = resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(([id]) => id);
    expect(onlyStage(template).DependsOn).toEqual(expect.arrayContaining(routeIds));
  });

  it('takes other limits per group as a construct prop, the other groups keeping theirs', () => {
    const stack = new Stack(new App(), 'Throttles');
    const fn = (name: string) =>
      lambda.Function.fromFunctionArn(stack, name, `arn:aws:lambda:us-east-1:123456789012:function:${name}`);
    new KlaxonHttpApi(stack, 'Api', {
      apiName: 'throttles',
      handlers: { intake: fn('intake'), 'incidents-api': fn('api'), 'web-console': fn('console') },
      consoleAuthorizer: fn('authorizer'),
      throttles: { 'alert-intake': { rateLimit: 500, burstLimit: 1000 }, 'ack-links': { rateLimit: 2, burstLimit: 4 } },
    });
    const stage = stageOf(Template.fromStack(stack));
    expect(stage.RouteSettings).toMatchObject({
      'POST /v2/enqueue': limits(500, 1000),
      'GET /v1/ack/{token}': limits(2, 4),
      'GET /v1/incidents': limits(50, 100),
    });
    expect(stage.DefaultRouteSettings).toEqual(limits(2, 4));
  });
});
