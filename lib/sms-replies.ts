/**
 * SMS replies: the function subscribed to the two-way SMS topic of Klaxon's origination number
 * (AWS End User Messaging SMS publishes each SMS the number receives to it), which acknowledges
 * or resolves incidents as the responder whose phone replied and texts back.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { type IncidentFunctionProps, KlaxonFunction } from './klaxon-function.js';

export interface SmsRepliesProps extends IncidentFunctionProps {
  /** The topic two-way SMS on the origination number publishes inbound messages to. */
  readonly topic: sns.ITopic;
}

/**
 * sns:Publish to phone numbers only: the answer goes to whoever texted, who may be on no topic
 * (an unknown number is told why nothing happened). A phone number has no ARN, so the grant is
 * every resource that is not an SNS topic: this role can publish to no topic at all.
 */
export const publishToPhoneNumbers = () =>
  new iam.PolicyStatement({ actions: ['sns:Publish'], notResources: ['arn:aws:sns:*:*:*'] });

export class SmsReplies extends Construct {
  readonly function: KlaxonFunction;

  constructor(scope: Construct, id: string, props: SmsRepliesProps) {
    super(scope, id);
    // Acknowledging and resolving: read, write and update incident items (no index queries);
    // resolving stops the run's execution and starts the post-mortem reminders, and nothing here
    // starts an escalation.
    this.function = new KlaxonFunction(this, 'Function', {
      entry: 'lambdas/entry/sms-replies.ts',
      description: 'Klaxon: acknowledges and resolves incidents from SMS replies, and answers them',
      bundledConfig: props.bundledConfig,
      tracing: props.tracing,
      sourceMaps: props.sourceMaps,
      serviceName: props.serviceName,
    })
      .bindTable(props.store, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'])
      .bindEscalation(props.escalation, { start: false, stop: true })
      .bindEventBus(props.eventBus);
    this.function.addToRolePolicy(publishToPhoneNumbers());
    props.topic.addSubscription(new subscriptions.LambdaSubscription(this.function));
  }
}
