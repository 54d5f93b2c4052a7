/**
 * Chat on AWS: the Slack and Teams channel configurations, the chat topic and its policy, the
 * rule and function that render lifecycle events, and the Acknowledge and Resolve custom actions,
 * which may invoke the chat-action function and nothing else. cdk-nag runs on the same stack.
 */
import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CHAT_EVENT_PATTERN, CHAT_EVENT_TYPE } from '../../lambdas/core/chat-notifications.js';
import { ChatChannelsError } from '../../lib/chat.js';
import { KlaxonStack, type KlaxonStackProps } from '../../lib/klaxon-stack.js';
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

const slack = { workspaceId: 'T0123ABCD', channelId: 'C0456EFGH' };
const teams = {
  teamId: '6b1e6c4f-3c2a-4a57-9d0e-2f4a3c1b5e7d',
  tenantId: '0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f',
  channelId: '19%3a0123456789abcdef%40thread.tacv2',
};
const { stack, klaxon, template } = synthKlaxon(defaultConfig(), { chat: { slack: [slack], teams: [teams] } });
const chat = klaxon.chat;
if (!chat) throw new Error('Klaxon built no chat for a stack that names channels');
const idOf = (construct: Parameters<typeof logicalIdOf>[1]) => logicalIdOf(stack, construct);
const topicId = idOf(chat.topic);
const roleId = idOf(chat.channelRole);
const guardrailId = idOf(chat.guardrail);
const actionFunctionId = idOf(chat.actionFunction);

describe('chat through Amazon Q Developer', () => {
  it('subscribes a Slack and a Teams channel configuration to the chat topic, with the channel role, the guardrail and both buttons', () => {
    const expected = {
      IamRoleArn: `<${roleId}.Arn>`,
      SnsTopicArns: [`<${topicId}>`],
      GuardrailPolicies: [`<${guardrailId}>`],
      CustomizationResourceArns: [
        `<${stack.getLogicalId(chat.customActions.acknowledge)}.CustomActionArn>`,
        `<${stack.getLogicalId(chat.customActions.resolve)}.CustomActionArn>`,
      ],
    };
    const rendered = (properties: Record<string, unknown>) => ({
      IamRoleArn: render(properties.IamRoleArn),
      SnsTopicArns: (properties.SnsTopicArns as unknown[]).map(render),
      GuardrailPolicies: (properties.GuardrailPolicies as unknown[]).map(render),
      CustomizationResourceArns: (properties.CustomizationResourceArns as unknown[]).map(render),
    });
    const [, slackConfig] = onlyOne(
      resourcesOfType(template, 'AWS::Chatbot::SlackChannelConfiguration'),
      'Slack channel',
    );
    expect(slackConfig.Properties).toMatchObject({
      ConfigurationName: 'Klaxon-slack-C0456EFGH',
      SlackWorkspaceId: 'T0123ABCD',
      SlackChannelId: 'C0456EFGH',
      UserRoleRequired: false,
    });
    expect(rendered(slackConfig.Properties)).toEqual(expected);
    const [, teamsConfig] = onlyOne(
      resourcesOfType(template, 'AWS::Chatbot::MicrosoftTeamsChannelConfiguration'),
      'Teams channel',
    );
    expect(teamsConfig.Properties).toMatchObject({
      TeamId: teams.teamId,
      TeamsTenantId: teams.tenantId,
      TeamsChannelId: teams.channelId,
    });
    expect(rendered(teamsConfig.Properties)).toEqual(expected);
    expect(render(template.findOutputs('ChatTopicArn').ChatTopicArn?.Value)).toBe(`<${topicId}>`);
  });

  it('lets only the renderer publish to the topic, and refuses plain HTTP', () => {
    expect(resourceOf(template, topicId).Properties).toMatchObject({ TopicName: 'Klaxon-chat', SignatureVersion: '2' });
    const [, policy] = onlyOne(
      resourcesOfType(template, 'AWS::SNS::TopicPolicy').filter(([, candidate]) =>
        (candidate.Properties.Topics as unknown[]).some((topic) => render(topic) === `<${topicId}>`),
      ),
      'chat topic policy',
    );
    const statements = (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
    const notifyRoleId = idOf(chat.notifyFunction.role as Parameters<typeof idOf>[0]);
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'sns:Publish',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [notifyRoleId, 'Arn'] } } },
      }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    expect(statements.filter((statement) => statement.Effect === 'Allow')).toEqual([]);
    expect(permissionsOf(template, notifyRoleId)).toContain(`Allow sns:Publish on <${topicId}>`);
  });

  it("routes the channel's lifecycle events from Klaxon's bus to the renderer", () => {
    const [, rule] = onlyOne(
      resourcesOfType(template, 'AWS::Events::Rule').filter(([, candidate]) =>
        ((candidate.Properties.Targets ?? []) as { Arn: unknown }[]).some(
          (target) => render(target.Arn) === `<${idOf(chat.notifyFunction)}.Arn>`,
        ),
      ),
      'chat rule',
    );
    expect(render(rule.Properties.EventBusName)).toBe(`<${idOf(klaxon.eventBus.bus)}>`);
    expect(rule.Properties.EventPattern).toEqual({
      source: [...CHAT_EVENT_PATTERN.source],
      'detail-type': [...CHAT_EVENT_PATTERN['detail-type']],
    });
  });

  it('has two buttons, Acknowledge and Resolve, each invoking the chat-action function with its own action only', () => {
    const actions = resourcesOfType(template, 'AWS::Chatbot::CustomAction').map(([, action]) => action.Properties);
    expect(actions.map((action) => action.ActionName)).toEqual(['Klaxon-acknowledge', 'Klaxon-resolve']);
    for (const [action, button] of [
      ['acknowledge', 'Acknowledge'],
      ['resolve', 'Resolve'],
    ] as const) {
      const properties = actions.find((candidate) => candidate.ActionName === `Klaxon-${action}`) ?? {};
      expect(render((properties.Definition as { CommandText: unknown }).CommandText)).toBe(
        `lambda invoke --function-name <${actionFunctionId}> --region <AWS::Region> --payload {"action":"${action}","incidentId":"$incidentId"}`,
      );
      expect(properties.Attachments).toEqual([
        expect.objectContaining({
          ButtonText: button,
          Criteria: expect.arrayContaining([{ VariableName: 'eventType', Operator: 'EQUALS', Value: CHAT_EVENT_TYPE }]),
        }),
      ]);
    }
  });

  it("lets the channels' role and guardrail invoke the chat-action function and nothing else", () => {
    expect(resourceOf(template, roleId).Properties.AssumeRolePolicyDocument).toMatchObject({
      Statement: [expect.objectContaining({ Principal: { Service: 'chatbot.amazonaws.com' } })],
    });
    expect(permissionsOf(template, roleId)).toEqual([`Allow lambda:InvokeFunction on <${actionFunctionId}.Arn>`]);
    const guardrail = resourceOf(template, guardrailId).Properties.PolicyDocument as {
      Statement: { Effect: string; Action: unknown; Resource: unknown }[];
    };
    expect(
      guardrail.Statement.map((statement) => [statement.Effect, statement.Action, render(statement.Resource)]),
    ).toEqual([['Allow', 'lambda:InvokeFunction', `<${actionFunctionId}.Arn>`]]);
  });

  it('finds nothing unacknowledged by cdk-nag', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(
      report.violations.flatMap((violation) =>
        violation.violatingResources.map((resource) => `${violation.ruleName} on ${resource.constructPath}`),
      ),
    ).toEqual([]);
  });

  it('builds no chat when no channel is named, refuses a channel name where an id belongs or a channel named twice, and keeps button names apart', () => {
    // Built without a synth: the constructs are the answer, the template adds nothing here.
    const build = (chatProps: KlaxonStackProps['chat'], stackName = 'Klaxon') =>
      new KlaxonStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), stackName, {
        config: defaultConfig(),
        chat: chatProps,
      });
    expect(build({ slack: [], teams: [] }).klaxon.chat).toBeUndefined();
    expect(() => build({ slack: [{ workspaceId: 'T0123ABCD', channelId: '#incidents' }] })).toThrow(ChatChannelsError);
    expect(() => build({ slack: [slack, { ...slack }] })).toThrow(/names channel C0456EFGH twice/);
    // The longest name prefix still gives the two buttons names of their own, within 64 characters.
    const long = build({ slack: [slack] }, 'k'.repeat(64)).klaxon.chat;
    const names = Object.values(long?.customActions ?? {}).map((action) => action.actionName);
    expect(names).toEqual([`${'k'.repeat(52)}-acknowledge`, `${'k'.repeat(56)}-resolve`]);
  });
});
