import { parseConfig } from '../../lambdas/core/config.js';
import {
  defaultConfig,
  logicalIdOf,
  onlyOne,
  render,
  resourceOf,
  resourcesOfType,
  sharedKlaxon,
} from './klaxon-template.js';

const { stack, klaxon, template } = sharedKlaxon();
const { responders } = parseConfig(defaultConfig());

describe('responder topics', () => {
  it('are one per responder in the config, named after the stack and the responder id', () => {
    expect(responders.map((responder) => responder.id)).toEqual([
      'primary-oncall',
      'secondary-oncall',
      'eng-manager',
      'executive',
    ]);
    // Plus the alarm intake topic and the health topic.
    template.resourceCountIs('AWS::SNS::Topic', responders.length + 2);
    expect([...klaxon.paging.topics.keys()]).toEqual(responders.map((responder) => responder.id));
  });

  it.each(responders.map((responder) => [responder.id, responder] as const))(
    '%s: a topic with signature version 2 that refuses plain HTTP, and one email and one SMS subscription',
    (id, responder) => {
      const topic = klaxon.paging.topics.get(id);
      expect(topic).toBeDefined();
      const topicId = logicalIdOf(stack, topic as NonNullable<typeof topic>);
      expect(resourceOf(template, topicId).Properties).toEqual({
        TopicName: `Klaxon-responder-${id}`,
        SignatureVersion: '2',
      });

      const subscriptions = resourcesOfType(template, 'AWS::SNS::Subscription')
        .map(([, subscription]) => subscription.Properties)
        .filter((subscription) => render(subscription.TopicArn) === `<${topicId}>`)
        .sort((a, b) => String(a.Protocol).localeCompare(String(b.Protocol)));
      // Each subscription takes only its own channel: an email-only step must not ring a phone.
      expect(subscriptions).toEqual([
        {
          Protocol: 'email',
          Endpoint: responder.email,
          TopicArn: { Ref: topicId },
          FilterPolicy: { channel: ['email'] },
        },
        { Protocol: 'sms', Endpoint: responder.phone, TopicArn: { Ref: topicId }, FilterPolicy: { channel: ['sms'] } },
      ]);

      const policies = resourcesOfType(template, 'AWS::SNS::TopicPolicy')
        .map(([, policy]) => policy.Properties)
        .filter((policy) => (policy.Topics as unknown[]).some((ref) => render(ref) === `<${topicId}>`));
      const policy = onlyOne(policies, `policy for the ${id} topic`);
      expect((policy.PolicyDocument as { Statement: unknown[] }).Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 'sns:Publish',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    },
  );

  it('are the only people subscribed: one email and one SMS per responder (the other one is the API)', () => {
    const people = resourcesOfType(template, 'AWS::SNS::Subscription').filter(
      ([, subscription]) => subscription.Properties.Protocol !== 'https',
    );
    expect(people).toHaveLength(responders.length * 2);
  });
});
