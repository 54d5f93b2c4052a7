import { HTTP_ROUTES } from '../../lambdas/handlers/routes.js';
import { CLOUDWATCH_ALERT_PATH } from '../../lib/alarm-topic.js';
import { logicalIdOf, onlyOne, render, resourceOf, resourcesOfType, sharedKlaxon } from './klaxon-template.js';

const { stack, klaxon, template } = sharedKlaxon();
const idOf = (construct: Parameters<typeof logicalIdOf>[1]) => logicalIdOf(stack, construct);
const topicId = idOf(klaxon.alarmTopic.topic);

describe('the alarm intake topic', () => {
  it('is named after the stack, signs with SHA256 (signature version 2) and is output for alarms to name', () => {
    expect(resourceOf(template, topicId).Properties).toMatchObject({
      TopicName: 'Klaxon-alarms',
      SignatureVersion: '2',
    });
    expect(render(template.findOutputs('AlarmTopicArn').AlarmTopicArn?.Value)).toBe(`<${topicId}>`);
  });

  it('lets CloudWatch alarms of this account publish, and refuses plain HTTP', () => {
    const policies = resourcesOfType(template, 'AWS::SNS::TopicPolicy').filter(([, policy]) =>
      (policy.Properties.Topics as unknown[]).some((topic) => render(topic) === `<${topicId}>`),
    );
    const [, policy] = onlyOne(policies, 'alarm topic policy');
    const statements = (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: { Ref: topicId },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    // Nobody else is allowed anything.
    const allows = statements.filter((statement) => statement.Effect === 'Allow');
    expect(allows).toHaveLength(1);
  });

  it('delivers over HTTPS to the API’s CloudWatch route, subscribed once the API exists', () => {
    const [subscriptionId, subscription] = onlyOne(
      resourcesOfType(template, 'AWS::SNS::Subscription').filter(([, s]) => s.Properties.Protocol === 'https'),
      'HTTPS subscription',
    );
    expect(render(subscription.Properties.TopicArn)).toBe(`<${topicId}>`);
    expect(render(subscription.Properties.Endpoint)).toBe(
      `<${idOf(klaxon.httpApi.api)}.ApiEndpoint>${CLOUDWATCH_ALERT_PATH}`,
    );
    // SNS keeps its signed envelope (raw delivery would drop the signature intake checks) and retries.
    expect(subscription.Properties.RawMessageDelivery).toBe(false);
    expect(subscription.Properties.DeliveryPolicy).toMatchObject({
      healthyRetryPolicy: { numRetries: 50, backoffFunction: 'EXPONENTIAL' },
    });
    // SNS sends the confirmation request as soon as the subscription exists: the route must be there.
    const routeIds = resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(([id]) => id);
    expect(resourceOf(template, subscriptionId).DependsOn).toEqual(expect.arrayContaining(routeIds));
  });

  it('is served by intake, on a route without IAM (SNS cannot sign AWS requests)', () => {
    expect(HTTP_ROUTES).toContainEqual({
      method: 'POST',
      path: CLOUDWATCH_ALERT_PATH,
      function: 'intake',
      auth: 'sender',
    });
  });

  it('is the one topic intake accepts notifications from (ALLOWED_SNS_TOPIC_ARNS)', () => {
    const variables = (
      resourceOf(template, idOf(klaxon.intake.function)).Properties.Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    expect(render(variables.ALLOWED_SNS_TOPIC_ARNS)).toBe(`<${topicId}>`);
  });
});
