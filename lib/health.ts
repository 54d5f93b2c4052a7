/**
 * Klaxon watching itself: alarms on everything that would make a page go missing, on their own
 * `<prefix>-health` topic with their own subscribers (a pager cannot be trusted to page about its
 * own failure), and, when asked for, a dashboard of what it does.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  ALERTS_REFUSED,
  INCIDENT_METRICS,
  METRICS_NAMESPACE,
  SEVERITY_DIMENSION,
} from '../lambdas/adapters/incident-metrics.js';
import { SEVERITIES, type Severity } from '../lambdas/core/config.js';

export interface HealthSubscribers {
  /** Email addresses told about Klaxon's own failures (each confirms a subscription email). @default none */
  readonly emails?: readonly string[];
  /** E.164 phone numbers texted about Klaxon's own failures. @default none */
  readonly phones?: readonly string[];
}

export interface KlaxonHealthProps {
  /** The health topic's name. */
  readonly topicName: string;
  readonly subscribers: HealthSubscribers;
  /**
   * The dashboard's name. Without one there is no dashboard: it bills $3 a month (beyond an
   * account's first 3), more than everything else Klaxon keeps at rest, and the alarms alone
   * already tell someone when a page goes missing.
   * @default no dashboard
   */
  readonly dashboardName?: string;
  /** The `service` dimension the functions' metrics carry (POWERTOOLS_SERVICE_NAME). */
  readonly serviceName: string;
  /** What is watched. */
  readonly watched: {
    /** Severity (or `PostmortemReminders`) → state machine: failed or timed-out executions raise an alarm. */
    readonly stateMachines: Readonly<Record<string, sfn.IStateMachine>>;
    readonly functions: Readonly<Record<string, lambda.IFunction>>;
    /** The API's 5xx count: alert senders getting errors means alerts not becoming incidents. */
    readonly api: { metricServerError(props?: cloudwatch.MetricOptions): cloudwatch.Metric };
    /** Responder topics (SMS and email deliveries) and the intake topic (HTTPS deliveries). */
    readonly topics: Readonly<Record<string, sns.ITopic>>;
    /** Each queue, with what its alarm tells the operator (what it holds, what to do). */
    readonly deadLetterQueues: Readonly<Record<string, { queue: sqs.IQueue; description: string }>>;
  };
}

const FIVE_MINUTES = Duration.minutes(5);
const FIVE_MINUTE_SUM = { period: FIVE_MINUTES, statistic: cloudwatch.Stats.SUM };

export class KlaxonHealth extends Construct {
  readonly topic: sns.Topic;
  /** Alarm name suffix → alarm, e.g. `SEV1-ExecutionsFailed`, `intake-Errors`. */
  readonly alarms: ReadonlyMap<string, cloudwatch.Alarm>;
  /** Only when the props name one. */
  readonly dashboard?: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: KlaxonHealthProps) {
    super(scope, id);
    const { watched } = props;
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: props.topicName,
      displayName: 'Klaxon health',
      enforceSSL: true,
      signatureVersion: '2',
    });
    for (const email of props.subscribers.emails ?? []) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }
    for (const phone of props.subscribers.phones ?? []) {
      this.topic.addSubscription(new subscriptions.SmsSubscription(phone));
    }

    const alarms = new Map<string, cloudwatch.Alarm>();
    // Any occurrence is worth a look: each of these means a page late or lost.
    const alarmOn = (name: string, metric: cloudwatch.IMetric, description: string) => {
      const alarm = new cloudwatch.Alarm(this, name, {
        alarmDescription: `Klaxon: ${description}`,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No data means nothing happened, which for a count of failures is good news.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(new actions.SnsAction(this.topic));
      alarm.addOkAction(new actions.SnsAction(this.topic));
      alarms.set(name, alarm);
    };

    for (const [name, machine] of Object.entries(watched.stateMachines)) {
      const what = name.startsWith('SEV') ? `${name} escalations` : 'post-mortem reminders';
      alarmOn(`${name}-ExecutionsFailed`, machine.metricFailed(FIVE_MINUTE_SUM), `${what} failed`);
      alarmOn(`${name}-ExecutionsTimedOut`, machine.metricTimedOut(FIVE_MINUTE_SUM), `${what} timed out`);
    }
    for (const [name, fn] of Object.entries(watched.functions)) {
      alarmOn(`${name}-Errors`, fn.metricErrors(FIVE_MINUTE_SUM), `the ${name} function failed`);
      alarmOn(`${name}-Throttles`, fn.metricThrottles(FIVE_MINUTE_SUM), `the ${name} function was throttled`);
    }
    alarmOn('Api-5xx', watched.api.metricServerError(FIVE_MINUTE_SUM), 'the HTTP API answered with a 5xx');
    // A refused alert opened no incident, and a sender refused once is usually refused every time.
    alarmOn(
      'Api-AlertsRefused',
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: ALERTS_REFUSED,
        dimensionsMap: { service: props.serviceName },
        ...FIVE_MINUTE_SUM,
      }),
      'a configured alert sender (its integration key or allowed SNS topic) got a 4xx, so its alert opened no incident; the AlertsRefused metric by route and integration, and the intake log ("Alert refused"), say which sender and why',
    );
    for (const [name, topic] of Object.entries(watched.topics)) {
      alarmOn(
        `${name}-DeliveryFailed`,
        topic.metric('NumberOfNotificationsFailed', FIVE_MINUTE_SUM),
        `SNS could not deliver a notification from the ${name} topic`,
      );
    }
    for (const [name, { queue, description }] of Object.entries(watched.deadLetterQueues)) {
      alarmOn(
        `${name}-DeadLetters`,
        queue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: cloudwatch.Stats.MAXIMUM }),
        description,
      );
    }
    this.alarms = alarms;
    if (props.dashboardName !== undefined) this.dashboard = this.buildDashboard(props, props.dashboardName);
  }

  private buildDashboard(props: KlaxonHealthProps, dashboardName: string): cloudwatch.Dashboard {
    const { watched } = props;
    const business = (metricName: string, severity: Severity, statistic: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { service: props.serviceName, [SEVERITY_DIMENSION]: severity },
        statistic,
        period: FIVE_MINUTES,
        label: severity,
      });
    const perSeverity = (metricName: string, statistic: string) =>
      SEVERITIES.map((severity) => business(metricName, severity, statistic));
    const machines = Object.entries(watched.stateMachines);
    return new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName,
      defaultInterval: Duration.days(7),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Incidents opened, per severity',
            left: perSeverity(INCIDENT_METRICS.opened, cloudwatch.Stats.SUM),
            stacked: true,
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Pages sent, per severity',
            left: perSeverity(INCIDENT_METRICS.paged, cloudwatch.Stats.SUM),
            stacked: true,
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Time to acknowledge (p50, seconds)',
            left: perSeverity(INCIDENT_METRICS.acknowledged, cloudwatch.Stats.p(50)),
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Time to resolve (p50, seconds)',
            left: perSeverity(INCIDENT_METRICS.resolved, cloudwatch.Stats.p(50)),
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Escalations started',
            left: machines.map(([severity, machine]) => machine.metricStarted({ ...FIVE_MINUTE_SUM, label: severity })),
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            // Succeeded: the ladder ran to its end; aborted: resolving the incident stopped it.
            title: 'Escalations ended',
            left: machines.flatMap(([severity, machine]) => [
              machine.metricSucceeded({ ...FIVE_MINUTE_SUM, label: `${severity} succeeded` }),
              machine.metricAborted({ ...FIVE_MINUTE_SUM, label: `${severity} stopped` }),
            ]),
            width: 8,
          }),
          new cloudwatch.GraphWidget({
            title: 'Escalations failed or timed out',
            left: machines.flatMap(([severity, machine]) => [
              machine.metricFailed({ ...FIVE_MINUTE_SUM, label: `${severity} failed` }),
              machine.metricTimedOut({ ...FIVE_MINUTE_SUM, label: `${severity} timed out` }),
            ]),
            width: 8,
          }),
        ],
        [new cloudwatch.AlarmStatusWidget({ title: 'Klaxon health', alarms: [...this.alarms.values()], width: 24 })],
      ],
    });
  }
}
