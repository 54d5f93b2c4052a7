/** The deployable stack: one Klaxon and the outputs a person needs after `cdk deploy`. */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { KlaxonConfigInput } from '../lambdas/core/config.js';
import { LIFECYCLE_EVENT_SOURCE } from '../lambdas/core/lifecycle-events.js';
import type { ChatChannels } from './chat.js';
import type { HealthSubscribers } from './health.js';
import { Klaxon } from './klaxon.js';

export interface KlaxonStackProps extends StackProps {
  /** The Klaxon config as written in klaxon.config.json. */
  readonly config: KlaxonConfigInput;
  /** Who hears about Klaxon's own failures. @default nobody (synth warns) */
  readonly healthSubscribers?: HealthSubscribers;
  /** A CloudWatch dashboard, output as `DashboardName`; see KlaxonProps.dashboard. @default false */
  readonly dashboard?: boolean;
  /** Stack traces through the source maps; see KlaxonProps.sourceMaps. @default false */
  readonly sourceMaps?: boolean;
  /** The End User Messaging phone number (or pool) for calls and SMS; see KlaxonProps.originationIdentityArn. */
  readonly originationIdentityArn?: string;
  /** Slack and Teams channels; see KlaxonProps.chat. @default no chat */
  readonly chat?: ChatChannels;
  /** The ARN of the two-way SMS topic of the origination number; see KlaxonProps.twoWaySmsTopic. @default no SMS replies */
  readonly twoWaySmsTopicArn?: string;
}

export class KlaxonStack extends Stack {
  readonly klaxon: Klaxon;

  constructor(scope: Construct, id: string, props: KlaxonStackProps) {
    super(scope, id, {
      description: 'Klaxon: serverless incident response and on-call paging',
      ...props,
    });
    this.klaxon = new Klaxon(this, 'Klaxon', {
      config: props.config,
      healthSubscribers: props.healthSubscribers,
      dashboard: props.dashboard,
      sourceMaps: props.sourceMaps,
      originationIdentityArn: props.originationIdentityArn,
      chat: props.chat,
      ...(props.twoWaySmsTopicArn
        ? { twoWaySmsTopic: sns.Topic.fromTopicArn(this, 'TwoWaySmsTopic', props.twoWaySmsTopicArn) }
        : {}),
    });

    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the Klaxon HTTP API',
      value: this.klaxon.httpApi.stage.url,
    });
    new CfnOutput(this, 'ConsoleSignInUrl', {
      description: 'The web console: sign in with your responder email (the invitation brings a temporary password)',
      value: `${this.klaxon.httpApi.baseUrl}/auth/sign-in`,
    });
    new CfnOutput(this, 'UserPoolId', {
      description: 'The Cognito user pool of the console: one user per responder',
      value: this.klaxon.signIn.userPool.userPoolId,
    });
    new CfnOutput(this, 'IncidentEventBusName', {
      description: `EventBridge bus with incident lifecycle events (source "${LIFECYCLE_EVENT_SOURCE}")`,
      value: this.klaxon.eventBus.bus.eventBusName,
    });
    new CfnOutput(this, 'AlarmTopicArn', {
      description: 'SNS topic to name as a CloudWatch alarm action: the alarm then pages through Klaxon',
      value: this.klaxon.alarmTopic.topic.topicArn,
    });
    new CfnOutput(this, 'HealthTopicArn', {
      description: "SNS topic with Klaxon's own alarms (failed escalations, function errors, undelivered pages)",
      value: this.klaxon.health.topic.topicArn,
    });
    new CfnOutput(this, 'IntakeFunctionName', {
      description:
        'The intake function: invoke it with {"klaxon":"redrive-inbox"} to receive again the alert inbox chunks that were dead-lettered',
      value: this.klaxon.intake.function.functionName,
    });
    if (this.klaxon.chat) {
      new CfnOutput(this, 'ChatTopicArn', {
        description: 'SNS topic of the chat notifications the Slack and Teams channel configurations subscribe to',
        value: this.klaxon.chat.topic.topicArn,
      });
    }
    const { dashboard } = this.klaxon.health;
    if (dashboard) {
      new CfnOutput(this, 'DashboardName', {
        description: 'CloudWatch dashboard: incidents, pages, time to acknowledge, escalations',
        value: dashboard.dashboardName,
      });
    }
  }
}
