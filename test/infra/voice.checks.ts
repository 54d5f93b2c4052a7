/**
 * A stack with an End User Messaging origination identity: calls and SMS leave from it, with
 * the page function allowed to send from that identity (and its own configuration set) only,
 * and the configuration set's failed deliveries brought back to the page function.
 */
import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DEFAULT_SEVERITY_POLICY, type KlaxonConfigInput } from '../../lambdas/core/config.js';
import { DELIVERY_FAILURE_EVENT_TYPES } from '../../lambdas/core/delivery-events.js';
import { KlaxonStack } from '../../lib/klaxon-stack.js';
import {
  defaultConfig,
  logicalIdOf,
  onlyOne,
  permissionsOf,
  render,
  resourceOf,
  resourcesOfType,
  synthKlaxon,
} from './klaxon-template.js';

const IDENTITY = 'arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-0123456789abcdef';
const CONFIGURATION_SET =
  'arn:<AWS::Partition>:sms-voice:<AWS::Region>:<AWS::AccountId>:configuration-set/Klaxon-responder-pages';

/** The README's example: SEV1 with a call at its 5-minute step. */
function withVoice(): KlaxonConfigInput {
  const sev1 = DEFAULT_SEVERITY_POLICY.SEV1;
  return {
    ...defaultConfig(),
    severityPolicy: {
      SEV1: {
        ...sev1,
        ladder: sev1.ladder.map((step) =>
          step.after === '5m' ? { ...step, channels: ['sms', 'email', 'voice'] } : step,
        ),
      },
    },
  };
}

const { stack, klaxon, template } = synthKlaxon(withVoice(), { originationIdentityArn: IDENTITY });
const idOf = (construct: Parameters<typeof logicalIdOf>[1]) => logicalIdOf(stack, construct);
const messaging = klaxon.paging.messaging;
if (!messaging) throw new Error('A stack with an origination identity has no End User Messaging resources');
const pageFunction = klaxon.paging.pageFunction;

describe('pages through End User Messaging', () => {
  it('the page function may send calls and SMS from the identity and its configuration set, and nothing else of sms-voice', () => {
    const role = pageFunction.role;
    if (!role) throw new Error('page function without a role');
    const smsVoice = permissionsOf(template, idOf(role)).filter((line) => line.includes('sms-voice:'));
    expect(smsVoice).toEqual(
      [
        `Allow sms-voice:SendTextMessage on ${CONFIGURATION_SET}`,
        `Allow sms-voice:SendTextMessage on ${IDENTITY}`,
        `Allow sms-voice:SendVoiceMessage on ${CONFIGURATION_SET}`,
        `Allow sms-voice:SendVoiceMessage on ${IDENTITY}`,
      ].sort(),
    );
    const variables = (
      resourceOf(template, idOf(pageFunction)).Properties.Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
    expect(variables).toEqual(
      expect.objectContaining({ ORIGINATION_IDENTITY: IDENTITY, SMS_CONFIGURATION_SET: 'Klaxon-responder-pages' }),
    );
  });

  it('the configuration set sends the delivery failures to a topic the page function is subscribed to', () => {
    const topicId = idOf(messaging.deliveryEvents);
    expect(resourceOf(template, stack.getLogicalId(messaging.configurationSet)).Properties).toEqual({
      ConfigurationSetName: 'Klaxon-responder-pages',
      EventDestinations: [
        {
          EventDestinationName: 'klaxon-delivery-failures',
          Enabled: true,
          MatchingEventTypes: [...DELIVERY_FAILURE_EVENT_TYPES],
          SnsDestination: { TopicArn: { Ref: topicId } },
        },
      ],
    });
    const subscription = onlyOne(
      resourcesOfType(template, 'AWS::SNS::Subscription').filter(
        ([, resource]) => render(resource.Properties.TopicArn) === `<${topicId}>`,
      ),
      'subscription to the delivery events',
    )[1].Properties;
    expect(subscription).toEqual(
      expect.objectContaining({ Protocol: 'lambda', Endpoint: { 'Fn::GetAtt': [idOf(pageFunction), 'Arn'] } }),
    );
    const policy = onlyOne(
      resourcesOfType(template, 'AWS::SNS::TopicPolicy').filter(([, resource]) =>
        (resource.Properties.Topics as unknown[]).some((ref) => render(ref) === `<${topicId}>`),
      ),
      'policy of the delivery events topic',
    )[1].Properties;
    const publishers = (policy.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement.filter(
      (statement) => statement.Effect === 'Allow',
    );
    expect(publishers).toEqual([
      expect.objectContaining({
        Principal: { Service: 'sms-voice.amazonaws.com' },
        Action: 'sns:Publish',
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: { 'aws:SourceArn': expect.anything() },
        },
      }),
    ]);
    const condition = onlyOne(publishers, 'publisher').Condition as { ArnLike: Record<string, unknown> };
    expect(render(condition.ArnLike['aws:SourceArn'])).toBe(CONFIGURATION_SET);
  });

  it('the responder topics carry email only: SMS leaves from the identity', () => {
    const protocols = resourcesOfType(template, 'AWS::SNS::Subscription').map(([, r]) => r.Properties.Protocol);
    expect(protocols.filter((protocol) => protocol === 'sms')).toEqual([]);
    expect(protocols.filter((protocol) => protocol === 'email')).toHaveLength(klaxon.paging.topics.size);
  });

  it('cdk-nag finds nothing unacknowledged', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(
      report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} on ${r.constructPath}`)),
    ).toEqual([]);
  });

  it('a config that calls without an origination identity stops synth, saying what to do', () => {
    expect(
      () => new KlaxonStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'K', { config: withVoice() }),
    ).toThrow(
      /SEV1 page by "voice", which needs an End User Messaging phone number with voice: .*-c originationIdentityArn=/,
    );
  });

  it('an origination identity that is no phone number or pool ARN stops synth', () => {
    expect(() =>
      synthKlaxon(withVoice(), {
        originationIdentityArn: 'arn:aws:sms-voice:us-east-1:123456789012:sender-id/KLAXON/US',
      }),
    ).toThrow(/must be the ARN of an End User Messaging phone number or pool/);
  });
});
