import { ALARM_STATE_CHANGE_PATTERN } from '../../lambdas/schemas/cloudwatch-alarm-event.js';
import { matchesPattern } from '../../local/event-rules.js';
import { fixture } from '../support/fixtures.js';
import { logicalIdOf, onlyOne, render, resourceOf, resourcesOfType, sharedKlaxon } from './klaxon-template.js';

const { stack, klaxon, template } = sharedKlaxon();
const idOf = (construct: Parameters<typeof logicalIdOf>[1]) => logicalIdOf(stack, construct);
const intakeId = idOf(klaxon.intake.function);
const queueId = idOf(klaxon.intake.deadLetterQueue);
const rule = resourceOf(template, idOf(klaxon.intake.alarmRule));

describe('CloudWatch alarm state changes', () => {
  it('are matched on the default bus by source and detail-type', () => {
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
    });
    expect(rule.Properties.EventBusName).toBeUndefined();
    expect(rule.Properties.State).toBe('ENABLED');
  });

  it('match the real EventBridge events in the fixtures, with the pattern the local runtime uses', () => {
    const pattern = rule.Properties.EventPattern as Parameters<typeof matchesPattern>[1];
    expect(pattern).toEqual(ALARM_STATE_CHANGE_PATTERN);
    expect(matchesPattern(fixture('eventbridge/alarm-state-change.json'), pattern)).toBe(true);
    expect(matchesPattern(fixture('eventbridge/composite-alarm-state-change.json'), pattern)).toBe(true);
  });

  it('go to intake, retried, with undeliverable ones kept in the dead-letter queue', () => {
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [intakeId, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 24, MaximumEventAgeInSeconds: 6 * 3600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
      }),
    ]);
  });

  it('that intake fails on, after Lambda’s own retries, land in the same dead-letter queue', () => {
    const [, config] = onlyOne(resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig'), 'async invoke config');
    expect(config.Properties).toMatchObject({
      FunctionName: { Ref: intakeId },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
  });

  it('may invoke intake only from this rule', () => {
    const permissions = resourcesOfType(template, 'AWS::Lambda::Permission')
      .map(([, permission]) => permission.Properties)
      .filter((permission) => permission.Principal === 'events.amazonaws.com');
    expect(permissions).toEqual([
      expect.objectContaining({
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [intakeId, 'Arn'] },
        SourceArn: { 'Fn::GetAtt': [idOf(klaxon.intake.alarmRule), 'Arn'] },
      }),
    ]);
  });
});

describe('the dead-letter queue', () => {
  it('is encrypted by SQS, keeps messages 14 days and refuses plain HTTP', () => {
    expect(resourceOf(template, queueId).Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    const [, policy] = onlyOne(resourcesOfType(template, 'AWS::SQS::QueuePolicy'), 'queue policy');
    const statements = (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    expect((policy.Properties.Queues as unknown[]).map(render)).toEqual([`<${queueId}>`]);
  });
});
