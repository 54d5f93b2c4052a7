/**
 * The twoWaySmsTopic prop: Klaxon subscribes its SMS reply function to the topic, grants it what
 * acknowledging and resolving take and sns:Publish to phone numbers only, and cdk-nag finds
 * nothing unacknowledged.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Klaxon } from '../../lib/klaxon.js';
import { KlaxonStack } from '../../lib/klaxon-stack.js';
import { allow, defaultConfig, logicalIdOf, permissionsOf } from './klaxon-template.js';

function synthWithReplies() {
  const app = new App({
    analyticsReporting: false,
    builtinCloudFormationValidation: false,
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  const stack = new Stack(app, 'WithSmsReplies');
  const topic = new sns.Topic(stack, 'TwoWaySms', { enforceSSL: true });
  const klaxon = new Klaxon(stack, 'Klaxon', { config: defaultConfig(), twoWaySmsTopic: topic });
  return { stack, klaxon, topic, template: Template.fromStack(stack) };
}

describe('SMS replies (the twoWaySmsTopic prop)', () => {
  const { stack, klaxon, topic, template } = synthWithReplies();
  const idOf = (construct: Parameters<typeof logicalIdOf>[1]) => logicalIdOf(stack, construct);
  const fn = klaxon.smsReplies?.function;
  const role = fn?.role;
  if (!fn || !role) throw new Error('no SMS reply function with a role');

  it('subscribes the SMS reply function to the two-way topic, and lets only that topic invoke it', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: idOf(topic) },
      Endpoint: { 'Fn::GetAtt': [idOf(fn), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'sns.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [idOf(fn), 'Arn'] },
      SourceArn: { Ref: idOf(topic) },
    });
  });

  it('grants incident items (no query, no delete), stopping escalations, lifecycle events, and publishing to phone numbers only', () => {
    const table = `<${idOf(klaxon.store.table)}.Arn>`;
    const severities = Object.values(klaxon.escalation.stateMachines);
    expect(permissionsOf(template, idOf(role))).toEqual(
      [
        ...allow(['logs:CreateLogStream', 'logs:PutLogEvents'], [`<${idOf(fn.logGroup)}.Arn>`]),
        ...allow(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [table]),
        ...allow(
          ['states:StopExecution'],
          severities.map(
            (machine) =>
              `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${idOf(machine)}.Name>:*`,
          ),
        ),
        ...allow(['states:StartExecution'], [`<${idOf(klaxon.escalation.postmortemReminders)}>`]),
        ...allow(['events:PutEvents'], [`<${idOf(klaxon.eventBus.bus)}.Arn>`]),
        // No ARN names a phone number: allowed on everything that is not an SNS topic, so on no topic at all.
        'Allow sns:Publish on everything but arn:aws:sns:*:*:*',
      ].sort(),
    );
  });

  it('tells the page function that replies are taken, so page SMS suggest them', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: Match.absent(),
      Description: Match.stringLikeRegexp('^Klaxon: pages'),
      Environment: { Variables: Match.objectLike({ SMS_REPLIES: 'on' }) },
    });
  });

  it('leaves cdk-nag nothing unacknowledged', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    const findings = report.violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => `${violation.ruleName} on ${resource.constructPath}`),
    );
    expect(findings).toEqual([]);
  });

  it('subscribes to a topic the deploying app names by ARN (`-c twoWaySmsTopicArn=…`)', () => {
    const app = new App({
      analyticsReporting: false,
      builtinCloudFormationValidation: false,
      context: { 'aws:cdk:bundling-stacks': [] },
    });
    const arn = 'arn:aws:sns:us-east-1:123456789012:klaxon-two-way-sms';
    const deployed = new KlaxonStack(app, 'Deployed', { config: defaultConfig(), twoWaySmsTopicArn: arn });
    Template.fromStack(deployed).hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda', TopicArn: arn });
  });
});
