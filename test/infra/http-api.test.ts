import { HTTP_ROUTES } from '../../lambdas/handlers/routes.js';
import { logicalIdOf, render, resourceOf, resourcesOfType, synthKlaxon } from './klaxon-template.js';

const { stack, klaxon, template } = synthKlaxon();
const idOf = (construct: Parameters<typeof logicalIdOf>[1]) => logicalIdOf(stack, construct);
const functionIds = {
  intake: idOf(klaxon.intake.function),
  'incidents-api': idOf(klaxon.management.function),
  'web-console': idOf(klaxon.management.consoleFunction),
};

/** Route key → [authorization type, logical id of the function its integration invokes]. */
function routeTable(): Record<string, [string, string]> {
  return Object.fromEntries(
    resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(([, route]) => {
      const target = render(route.Properties.Target); // integrations/<IntegrationId>
      const integration = resourceOf(template, target.replace(/^integrations\/<(.+)>$/, '$1'));
      const functionArn = render(integration.Properties.IntegrationUri); // <FunctionId.Arn>
      return [
        route.Properties.RouteKey as string,
        [route.Properties.AuthorizationType as string, functionArn.slice(1, -5)],
      ];
    }),
  );
}

describe('the HTTP API', () => {
  it('leaves only the alert senders’ routes without IAM; every other route needs IAM', () => {
    // Alert senders authenticate in the payload; a responder's ack link carries its own signed token.
    const senderRoute = /^(POST \/(v1\/alerts\/[a-z]+|v2\/(change\/)?enqueue)|(GET|POST) \/v1\/ack\/\{token\})$/;
    const authorization = Object.entries(routeTable()).map(([key, [auth]]) => [key, auth]);
    expect(authorization).toEqual(
      authorization.map(([key]) => [key, senderRoute.test(key ?? '') ? 'NONE' : 'AWS_IAM']),
    );
    expect(authorization.filter(([, auth]) => auth === 'NONE').map(([key]) => key)).toEqual(
      expect.arrayContaining(['POST /v1/alerts/events', 'POST /v2/enqueue', 'POST /v1/alerts/cloudwatch']),
    );
  });

  it('serves exactly the routes the local gateway serves (lambdas/handlers/routes.ts)', () => {
    const expected = Object.fromEntries(
      HTTP_ROUTES.map((route) => [
        `${route.method} ${route.path}`,
        [route.auth === 'iam' ? 'AWS_IAM' : 'NONE', functionIds[route.function]],
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
