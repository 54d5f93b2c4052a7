/**
 * Paging: one SNS topic per responder, with their email and SMS subscriptions, and the function
 * the state machines' "Page the responders" step invokes to publish to them.
 *
 * The pager publishes with a `channel` message attribute listing the step's channels; each
 * subscription's filter policy takes only its own channel, so an email-only step never rings a
 * phone.
 */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { CHANNEL_ATTRIBUTE } from '../lambdas/adapters/sns-message-attributes.js';
import type { Channel, Responder } from '../lambdas/core/config.js';
import { PAGE_FUNCTION_TIMEOUT_SECONDS } from '../lambdas/core/handoffs.js';
import type { IncidentEventBus } from './events.js';
import type { IncidentStore } from './incident-store.js';
import { KlaxonFunction, type KlaxonFunctionOptions, type ResponderTopics } from './klaxon-function.js';

export interface ResponderPagingProps extends KlaxonFunctionOptions {
  /** Everyone who can be paged: one topic each. */
  readonly responders: readonly Responder[];
  /** A responder's topic is named this prefix followed by their id. */
  readonly topicNamePrefix: string;
  /** Where the page function reads incidents and records who was paged. */
  readonly store: IncidentStore;
  /** Where the page function publishes "Responder Paged" events. */
  readonly eventBus: IncidentEventBus;
}

export class ResponderPaging extends Construct implements ResponderTopics {
  /** Responder id → their topic. */
  readonly topics: ReadonlyMap<string, sns.Topic>;
  /** `arn:…:sns:<region>:<account>:<topicNamePrefix>`: a topic's ARN is this plus the responder id. */
  readonly topicArnPrefix: string;
  readonly pageFunction: KlaxonFunction;

  constructor(scope: Construct, id: string, props: ResponderPagingProps) {
    super(scope, id);
    this.topicArnPrefix = Stack.of(this).formatArn({
      service: 'sns',
      resource: props.topicNamePrefix,
      arnFormat: ArnFormat.NO_RESOURCE_NAME,
    });
    this.topics = new Map(props.responders.map((responder) => [responder.id, this.topicFor(responder, props)]));

    this.pageFunction = new KlaxonFunction(this, 'PageFunction', {
      entry: 'lambdas/entry/page-responders.ts',
      description: 'Klaxon: pages the people an escalation step names, on their SNS topics',
      bundledConfig: props.bundledConfig,
      tracing: props.tracing,
      serviceName: props.serviceName,
      // A step may page several people, one Publish each, with retries inside the SDK. A handoff
      // claim older than this timeout may be taken over by a retry (lambdas/core/handoffs.ts).
      timeout: Duration.seconds(PAGE_FUNCTION_TIMEOUT_SECONDS),
    })
      .bindTable(props.store, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'])
      .bindEventBus(props.eventBus)
      .bindResponderTopics(this);
  }

  /** sns:Publish on exactly the responders' topics. */
  grantPublish(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sns:Publish'],
      resourceArns: [...this.topics.values()].map((topic) => topic.topicArn),
    });
  }

  private topicFor(responder: Responder, props: ResponderPagingProps): sns.Topic {
    const topic = new sns.Topic(this, `Responder-${responder.id}`, {
      topicName: `${props.topicNamePrefix}${responder.id}`,
      // No displayName: SNS puts up to 10 characters of it in front of every SMS, which would push
      // a page the templates fit into one 160-character segment into two.
      enforceSSL: true,
      signatureVersion: '2',
    });
    // The email subscription waits until the person follows its confirmation link; SMS needs the
    // account out of the SNS SMS sandbox (or the number verified in it).
    topic.addSubscription(new subscriptions.EmailSubscription(responder.email, { filterPolicy: onlyChannel('email') }));
    topic.addSubscription(new subscriptions.SmsSubscription(responder.phone, { filterPolicy: onlyChannel('sms') }));
    return topic;
  }
}

function onlyChannel(channel: Channel): Record<string, sns.SubscriptionFilter> {
  return { [CHANNEL_ATTRIBUTE]: sns.SubscriptionFilter.stringFilter({ allowlist: [channel] }) };
}
