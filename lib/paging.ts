/**
 * Paging: one SNS topic per responder, with their email and SMS subscriptions, and the function
 * the state machines' "Page the responders" step invokes to publish to them. With an End User
 * Messaging origination identity, SMS and calls leave from it instead (SendTextMessage,
 * SendVoiceMessage) through a configuration set whose event destination brings failed deliveries
 * back to the page function, which falls back (docs/configuration.md, "Voice calls").
 *
 * The pager publishes with a `channel` message attribute listing the step's channels; each
 * subscription's filter policy takes only its own channel, so an email-only step never rings a
 * phone.
 */
import { ArnFormat, Aws, Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as smsvoice from 'aws-cdk-lib/aws-smsvoice';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/adapters/environment.js';
import { CHANNEL_ATTRIBUTE } from '../lambdas/adapters/sns-message-attributes.js';
import type { Channel, Responder } from '../lambdas/core/config.js';
import { DELIVERY_FAILURE_EVENT_TYPES } from '../lambdas/core/delivery-events.js';
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
  /**
   * The End User Messaging SMS and Voice origination identity pages leave from: the ARN of a
   * phone number (or pool) with voice and SMS, e.g.
   * `arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-0123456789abcdef`. With it, SMS
   * and calls go through End User Messaging and their delivery failures fall back; email stays on
   * the topics.
   * @default none: SMS through the responders' topics, no calls, no delivery events
   */
  readonly originationIdentityArn?: string;
  /**
   * The configuration set Klaxon creates for its SMS and calls (only with an origination identity).
   * @default `${topicNamePrefix}pages`
   */
  readonly configurationSetName?: string;
}

/** An End User Messaging identity that can place calls: a phone number or a pool of them. */
const ORIGINATION_IDENTITY_ARN = /^arn:aws[a-z-]*:sms-voice:[a-z0-9-]+:\d{12}:(phone-number|pool)\/[A-Za-z0-9_-]+$/;

/** End User Messaging: the identity pages leave from, and the configuration set that reports their failures. */
export interface PageMessaging {
  readonly originationIdentityArn: string;
  readonly configurationSet: smsvoice.CfnConfigurationSet;
  readonly configurationSetArn: string;
  /** The configuration set's event destination: failed deliveries, for the page function. */
  readonly deliveryEvents: sns.Topic;
}

export class ResponderPaging extends Construct implements ResponderTopics {
  /** Responder id → their topic. */
  readonly topics: ReadonlyMap<string, sns.Topic>;
  /** `arn:…:sns:<region>:<account>:<topicNamePrefix>`: a topic's ARN is this plus the responder id. */
  readonly topicArnPrefix: string;
  readonly pageFunction: KlaxonFunction;
  /** Present when the props name an origination identity. */
  readonly messaging?: PageMessaging;

  constructor(scope: Construct, id: string, props: ResponderPagingProps) {
    super(scope, id);
    const identity = props.originationIdentityArn;
    if (identity !== undefined && !Token.isUnresolved(identity) && !ORIGINATION_IDENTITY_ARN.test(identity)) {
      throw new Error(
        `originationIdentityArn "${identity}" must be the ARN of an End User Messaging phone number or pool, such as arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-0123456789abcdef`,
      );
    }
    this.topicArnPrefix = Stack.of(this).formatArn({
      service: 'sns',
      resource: props.topicNamePrefix,
      arnFormat: ArnFormat.NO_RESOURCE_NAME,
    });
    this.topics = new Map(
      props.responders.map((responder) => [responder.id, this.topicFor(responder, props, identity === undefined)]),
    );

    this.pageFunction = new KlaxonFunction(this, 'PageFunction', {
      entry: 'lambdas/entry/page-responders.ts',
      description: 'Klaxon: pages the people an escalation step names, on their SNS topics',
      bundledConfig: props.bundledConfig,
      tracing: props.tracing,
      sourceMaps: props.sourceMaps,
      serviceName: props.serviceName,
      // A step may page several people, one Publish each, with retries inside the SDK. A handoff
      // claim older than this timeout may be taken over by a retry (lambdas/core/handoffs.ts).
      timeout: Duration.seconds(PAGE_FUNCTION_TIMEOUT_SECONDS),
    })
      .bindTable(props.store, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'])
      .bindEventBus(props.eventBus)
      .bindResponderTopics(this);
    if (identity !== undefined) {
      this.messaging = this.endUserMessaging(identity, props.configurationSetName ?? `${props.topicNamePrefix}pages`);
    }
  }

  /**
   * The configuration set the SMS and calls name, its event destination (an SNS topic only End
   * User Messaging may publish to, for this configuration set), the page function subscribed to
   * it, and the page function's right to send from the identity and nothing else.
   */
  private endUserMessaging(originationIdentityArn: string, configurationSetName: string): PageMessaging {
    const stack = Stack.of(this);
    const configurationSetArn = stack.formatArn({
      service: 'sms-voice',
      resource: 'configuration-set',
      resourceName: configurationSetName,
    });
    const deliveryEvents = new sns.Topic(this, 'DeliveryEvents', {
      topicName: `${configurationSetName}-delivery-failures`,
      enforceSSL: true,
      signatureVersion: '2',
    });
    deliveryEvents.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EndUserMessagingEventsOfThisConfigurationSet',
        principals: [new iam.ServicePrincipal('sms-voice.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [deliveryEvents.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': configurationSetArn },
        },
      }),
    );
    const configurationSet = new smsvoice.CfnConfigurationSet(this, 'PageMessages', {
      configurationSetName,
      eventDestinations: [
        {
          eventDestinationName: 'klaxon-delivery-failures',
          enabled: true,
          matchingEventTypes: [...DELIVERY_FAILURE_EVENT_TYPES],
          snsDestination: { topicArn: deliveryEvents.topicArn },
        },
      ],
    });
    // The destination is checked when the set is created: the topic's policy must let it publish.
    configurationSet.node.addDependency(deliveryEvents);
    deliveryEvents.addSubscription(new subscriptions.LambdaSubscription(this.pageFunction));
    this.pageFunction.addEnvironment(ENV.originationIdentity, originationIdentityArn);
    this.pageFunction.addEnvironment(ENV.smsConfigurationSet, configurationSetName);
    // The send actions authorize each resource the request names: the identity and the set.
    this.pageFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['sms-voice:SendVoiceMessage', 'sms-voice:SendTextMessage'],
        resources: [originationIdentityArn, configurationSetArn],
      }),
    );
    return { originationIdentityArn, configurationSet, configurationSetArn, deliveryEvents };
  }

  /** sns:Publish on exactly the responders' topics. */
  grantPublish(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sns:Publish'],
      resourceArns: [...this.topics.values()].map((topic) => topic.topicArn),
    });
  }

  private topicFor(responder: Responder, props: ResponderPagingProps, smsBySns: boolean): sns.Topic {
    const topic = new sns.Topic(this, `Responder-${responder.id}`, {
      topicName: `${props.topicNamePrefix}${responder.id}`,
      // No displayName: SNS puts up to 10 characters of it in front of every SMS, which would push
      // a page the templates fit into one 160-character segment into two.
      enforceSSL: true,
      signatureVersion: '2',
    });
    // The email subscription waits until the person follows its confirmation link; SMS needs the
    // account out of the SNS SMS sandbox (or the number verified in it). With an origination
    // identity, SMS leaves from it instead, and the topic carries email only.
    topic.addSubscription(new subscriptions.EmailSubscription(responder.email, { filterPolicy: onlyChannel('email') }));
    if (smsBySns) {
      topic.addSubscription(new subscriptions.SmsSubscription(responder.phone, { filterPolicy: onlyChannel('sms') }));
    }
    return topic;
  }
}

function onlyChannel(channel: Channel): Record<string, sns.SubscriptionFilter> {
  return { [CHANNEL_ATTRIBUTE]: sns.SubscriptionFilter.stringFilter({ allowlist: [channel] }) };
}
