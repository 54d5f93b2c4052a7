/**
 * Chat through Amazon Q Developer in chat applications (formerly AWS Chatbot): a rule on the
 * lifecycle bus renders each event a channel hears about as a custom notification and publishes
 * it to the chat topic; each Slack and Microsoft Teams channel configuration subscribes to the
 * topic and shows Acknowledge and Resolve buttons, custom actions that invoke the chat-action
 * function and nothing else. The Slack workspace or Teams tenant is authorised once, by hand, in
 * the Amazon Q Developer console (docs/deploy.md, Chat).
 */
import { Stack, Token } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/adapters/environment.js';
import {
  CHAT_ACTION_VARIABLES,
  CHAT_EVENT_PATTERN,
  CHAT_EVENT_TYPE,
  type ChatAction,
} from '../lambdas/core/chat-notifications.js';
import { type IncidentFunctionProps, KlaxonFunction } from './klaxon-function.js';

/** A Slack channel, by the ids in its link (`https://app.slack.com/client/<workspace>/<channel>`). */
export interface SlackChatChannel {
  /** The workspace id, e.g. `T0123ABCD`; the workspace must be authorised in the Amazon Q console first. */
  readonly workspaceId: string;
  /** The channel id, e.g. `C0456EFGH`. A private channel must invite @Amazon Q. */
  readonly channelId: string;
}

/** A Microsoft Teams channel, by the ids in its link ("Get link to channel"). */
export interface TeamsChatChannel {
  /** The team's id (a UUID, `groupId` in the link). */
  readonly teamId: string;
  /** The Microsoft Entra tenant's id (a UUID, `tenantId` in the link); authorised in the Amazon Q console first. */
  readonly tenantId: string;
  /** The channel's id as in the link, URL-encoded: `19%3a…%40thread.tacv2`. */
  readonly channelId: string;
}

/** Where the team talks: each channel hears the lifecycle events and has the buttons. */
export interface ChatChannels {
  readonly slack?: readonly SlackChatChannel[];
  readonly teams?: readonly TeamsChatChannel[];
}

export interface KlaxonChatProps extends IncidentFunctionProps {
  readonly channels: ChatChannels;
  /** Starts the topic's, configurations' and custom actions' names. */
  readonly namePrefix: string;
  /** Klaxon's HTTP API: notifications link to the console's incident page and the incident. */
  readonly apiBaseUrl: string;
}

/** A chat channel prop a person has to fix. */
export class ChatChannelsError extends Error {
  override name = 'ChatChannelsError';
}

// The patterns CloudFormation's AWS::Chatbot resources document for these ids.
const SLACK_WORKSPACE = /^[0-9A-Z]{1,255}$/;
const SLACK_CHANNEL = /^[A-Za-z0-9]+$/;
const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
const TEAMS_CHANNEL = /^([a-zA-Z0-9-_=+/.,])*%3[aA]([a-zA-Z0-9-_=+/.,])*%40([a-zA-Z0-9-_=+/.,])*$/;

export function validateChatChannels(channels: ChatChannels): void {
  channels.slack?.forEach((channel, index) => {
    if (!SLACK_WORKSPACE.test(channel.workspaceId)) {
      throw new ChatChannelsError(
        `Klaxon chat.slack[${index}].workspaceId "${channel.workspaceId}" is not a Slack workspace id (capital letters and digits, e.g. T0123ABCD)`,
      );
    }
    if (!SLACK_CHANNEL.test(channel.channelId)) {
      throw new ChatChannelsError(
        `Klaxon chat.slack[${index}].channelId "${channel.channelId}" is not a Slack channel id (letters and digits, e.g. C0456EFGH; not the channel's name)`,
      );
    }
  });
  const slackIds = (channels.slack ?? []).map((channel) => channel.channelId);
  const teamsIds = (channels.teams ?? []).map((channel) => channel.channelId);
  for (const ids of [slackIds, teamsIds]) {
    const twice = ids.find((id, index) => ids.indexOf(id) !== index);
    if (twice !== undefined) {
      throw new ChatChannelsError(`Klaxon chat names channel ${twice} twice: one configuration per channel`);
    }
  }
  channels.teams?.forEach((channel, index) => {
    for (const field of ['teamId', 'tenantId'] as const) {
      if (!UUID.test(channel[field])) {
        throw new ChatChannelsError(`Klaxon chat.teams[${index}].${field} "${channel[field]}" is not a UUID`);
      }
    }
    if (!TEAMS_CHANNEL.test(channel.channelId)) {
      throw new ChatChannelsError(
        `Klaxon chat.teams[${index}].channelId "${channel.channelId}" must be the URL-encoded id from the channel's link, e.g. 19%3aabc%40thread.tacv2`,
      );
    }
  });
}

/**
 * `<prefix>-<action>` in the 64 characters a custom action's name may have: a long prefix is cut,
 * never the action, so the two names stay apart. A token (a prefix known at deploy) is left whole.
 */
function actionName(namePrefix: string, action: ChatAction): string {
  if (Token.isUnresolved(namePrefix)) return `${namePrefix}-${action}`;
  return `${namePrefix.slice(0, 64 - action.length - 1)}-${action}`;
}

const BUTTONS: Record<
  ChatAction,
  { text: string; criteria: chatbot.CfnCustomAction.CustomActionAttachmentCriteriaProperty[] }
> = {
  // Only while nobody has it: an acknowledged incident shows Resolve alone.
  acknowledge: { text: 'Acknowledge', criteria: [{ variableName: 'status', operator: 'EQUALS', value: 'open' }] },
  // A resolved incident's notification turns custom actions off (enableCustomActions: false).
  resolve: { text: 'Resolve', criteria: [{ variableName: 'incidentId', operator: 'HAS_VALUE' }] },
};

export class KlaxonChat extends Construct {
  readonly topic: sns.Topic;
  /** The rule's target: renders and publishes. */
  readonly notifyFunction: KlaxonFunction;
  /** What the buttons invoke: acknowledges or resolves, nothing else. */
  readonly actionFunction: KlaxonFunction;
  /** The role Amazon Q runs the buttons' commands with in every channel. */
  readonly channelRole: iam.Role;
  /** The channels' guardrail: the most any role in a channel may do, whatever it was granted. */
  readonly guardrail: iam.ManagedPolicy;
  readonly customActions: Record<ChatAction, chatbot.CfnCustomAction>;

  constructor(scope: Construct, id: string, props: KlaxonChatProps) {
    super(scope, id);
    validateChatChannels(props.channels);
    const functionOptions = {
      bundledConfig: props.bundledConfig,
      tracing: props.tracing,
      sourceMaps: props.sourceMaps,
      serviceName: props.serviceName,
    };

    this.notifyFunction = new KlaxonFunction(this, 'NotifyFunction', {
      entry: 'lambdas/entry/notify-chat.ts',
      description: 'Klaxon: renders lifecycle events as chat notifications on the chat topic',
      ...functionOptions,
    });
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: `${props.namePrefix}-chat`,
      displayName: 'Klaxon chat',
      enforceSSL: true,
      signatureVersion: '2',
    });
    // The channels post whatever reaches the topic: only Klaxon's renderer may publish to it.
    const notifyRole = this.notifyFunction.role as iam.IRole;
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OnlyKlaxonPublishes',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': notifyRole.roleArn } },
      }),
    );
    this.topic.grantPublish(this.notifyFunction);
    this.notifyFunction.addEnvironment(ENV.chatTopicArn, this.topic.topicArn);
    this.notifyFunction.addEnvironment(ENV.publicBaseUrl, props.apiBaseUrl);
    new events.Rule(this, 'Rule', {
      eventBus: props.eventBus.bus,
      description: 'Klaxon lifecycle events a chat channel hears about',
      eventPattern: {
        source: [...CHAT_EVENT_PATTERN.source],
        detailType: [...CHAT_EVENT_PATTERN['detail-type']],
      },
      targets: [new targets.LambdaFunction(this.notifyFunction, { retryAttempts: 8 })],
    });

    this.actionFunction = KlaxonFunction.forIncidents(
      this,
      'ActionFunction',
      {
        entry: 'lambdas/entry/chat-action.ts',
        description: "Klaxon: the chat channels' Acknowledge and Resolve buttons",
      },
      props,
    );
    const invokeActions = new iam.PolicyStatement({
      sid: 'AcknowledgeAndResolveOnly',
      actions: ['lambda:InvokeFunction'],
      resources: [this.actionFunction.functionArn],
    });
    this.guardrail = new iam.ManagedPolicy(this, 'Guardrail', {
      description: 'Klaxon chat channels: the buttons may invoke the chat-action function, nothing else',
      statements: [invokeActions],
    });
    this.channelRole = new iam.Role(this, 'ChannelRole', {
      description: 'Klaxon chat channels: runs the Acknowledge and Resolve buttons',
      assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
      inlinePolicies: { ChatActions: new iam.PolicyDocument({ statements: [invokeActions] }) },
    });

    this.customActions = {
      acknowledge: this.customAction('acknowledge', props.namePrefix, this.actionFunction),
      resolve: this.customAction('resolve', props.namePrefix, this.actionFunction),
    };
    const shared = {
      iamRoleArn: this.channelRole.roleArn,
      snsTopicArns: [this.topic.topicArn],
      guardrailPolicies: [this.guardrail.managedPolicyArn],
      loggingLevel: 'ERROR',
      customizationResourceArns: Object.values(this.customActions).map((action) => action.attrCustomActionArn),
    };
    props.channels.slack?.forEach((channel, index) => {
      new chatbot.CfnSlackChannelConfiguration(this, `Slack${index}`, {
        ...shared,
        configurationName: `${props.namePrefix}-slack-${channel.channelId}`,
        slackWorkspaceId: channel.workspaceId,
        slackChannelId: channel.channelId,
        userRoleRequired: false,
      });
    });
    props.channels.teams?.forEach((channel, index) => {
      new chatbot.CfnMicrosoftTeamsChannelConfiguration(this, `Teams${index}`, {
        ...shared,
        configurationName: `${props.namePrefix}-teams-${index}`,
        teamId: channel.teamId,
        teamsTenantId: channel.tenantId,
        teamsChannelId: channel.channelId,
      });
    });
  }

  private customAction(action: ChatAction, namePrefix: string, fn: lambda.IFunction): chatbot.CfnCustomAction {
    const button = BUTTONS[action];
    // Amazon Q fills $incidentId from the notification (CHAT_ACTION_VARIABLES) before it runs the command.
    const payload = `{"action":"${action}","incidentId":"$incidentId"}`;
    return new chatbot.CfnCustomAction(this, `${button.text}Action`, {
      actionName: actionName(namePrefix, action),
      definition: {
        commandText: `lambda invoke --function-name ${fn.functionName} --region ${Stack.of(this).region} --payload ${payload}`,
      },
      // No NotificationType: its values for custom notifications are not documented; the eventType
      // criterion attaches the button to Klaxon's notifications only.
      attachments: [
        {
          buttonText: button.text,
          variables: { ...CHAT_ACTION_VARIABLES },
          criteria: [{ variableName: 'eventType', operator: 'EQUALS', value: CHAT_EVENT_TYPE }, ...button.criteria],
        },
      ],
    });
  }
}
