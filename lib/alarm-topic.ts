/**
 * The intake topic: a CloudWatch alarm (in this account) names it as its alarm action, and SNS
 * delivers each notification over HTTPS to POST /v1/alerts/cloudwatch. An alternative to the
 * EventBridge rule for alarms that should page only when someone chose to point them at Klaxon.
 */
import { Aws, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, type IDependable } from 'constructs';

/** The route SNS delivers alarm notifications to (lambdas/handlers/routes.ts serves it). */
export const CLOUDWATCH_ALERT_PATH = '/v1/alerts/cloudwatch';

export interface AlarmTopicProps {
  /** The topic name, for alarms to name in their actions. */
  readonly topicName: string;
}

export class AlarmTopic extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: props.topicName,
      displayName: 'Klaxon alarm intake',
      enforceSSL: true,
      signatureVersion: '2',
    });
    // CloudWatch publishes as the service principal; the condition keeps another account's alarms
    // from using this topic to open incidents here (confused-deputy guard).
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
  }

  /**
   * Subscribes `${apiBaseUrl}/v1/alerts/cloudwatch`. SNS sends the confirmation request as soon
   * as the subscription is created, so it waits for `api` (its route and stage) to exist.
   */
  subscribeApi(apiBaseUrl: string, api: IDependable): sns.Subscription {
    const subscription = new sns.Subscription(this, 'ApiSubscription', {
      topic: this.topic,
      protocol: sns.SubscriptionProtocol.HTTPS,
      endpoint: `${apiBaseUrl}${CLOUDWATCH_ALERT_PATH}`,
      // The envelope carries the signature intake verifies; raw delivery would drop it.
      rawMessageDelivery: false,
      deliveryPolicy: {
        // An alarm is worth retrying for a while: 50 retries, backing off from 1 s to 60 s apart.
        healthyRetryPolicy: {
          numRetries: 50,
          numNoDelayRetries: 3,
          minDelayTarget: Duration.seconds(1),
          maxDelayTarget: Duration.seconds(60),
          backoffFunction: sns.BackoffFunction.EXPONENTIAL,
        },
        throttlePolicy: { maxReceivesPerSecond: 10 },
      },
    });
    subscription.node.addDependency(api);
    return subscription;
  }
}
