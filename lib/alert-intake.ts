/**
 * Alert intake: the function behind the alert routes and the rule that sends CloudWatch alarm
 * state changes (default bus) to it, with a queue for the events that could not be handled.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ALARM_STATE_CHANGE_PATTERN } from '../lambdas/schemas/cloudwatch-alarm-event.js';
import { type IncidentFunctionProps, KlaxonFunction } from './klaxon-function.js';

/** The store, event bus and escalations intake acts on, and how its function is built. */
export interface AlertIntakeProps extends IncidentFunctionProps {
  /**
   * How long an alarm event may keep being retried before it goes to the dead-letter queue.
   * @default Duration.hours(6)
   */
  readonly maxEventAge?: Duration;
}

export class AlertIntake extends Construct {
  readonly function: KlaxonFunction;
  readonly alarmRule: events.Rule;
  /**
   * Alarm events that never reached intake, or that intake failed on after every retry, and alert
   * inbox chunks whose fan-out failed after every retry: their alerts stay stored, and invoking the
   * function with `{"klaxon":"redrive-inbox"}` dispatches them again (lambdas/core/alert-inbox.ts).
   */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: AlertIntakeProps) {
    super(scope, id);
    const maxEventAge = props.maxEventAge ?? Duration.hours(6);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      enforceSSL: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'It is the dead-letter queue: its messages are kept 14 days and alarmed on (lib/health.ts).',
    });

    // Stop too: an alarm back to OK, or an Events v2 "resolve", resolves the incident and
    // stops its escalation (core/responder-actions.ts, finishResolution).
    this.function = KlaxonFunction.forIncidents(
      this,
      'Function',
      {
        entry: 'lambdas/entry/intake.ts',
        description: 'Klaxon: turns alerts (CloudWatch alarm events, Events API v2, Alertmanager) into incidents',
      },
      props,
    );

    // EventBridge invokes Lambda asynchronously: the rule's retry policy and dead-letter queue
    // cover delivery to Lambda, the function's own async settings cover the handler failing.
    this.function.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge,
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
    });

    // Per-alert Alertmanager deliveries are received chunk by chunk by asynchronous invocations of
    // this very function (lambdas/core/alert-inbox.ts): the settings above retry a failed chunk and
    // dead-letter it, alarmed, so a failed fan-out is never silent; the chunk stays stored until an
    // operator's redrive event (the same grant) dispatches it again. A policy of its own: the role's
    // default policy, which the function depends on, cannot name the function's ARN (a cycle).
    const role = this.function.role;
    if (!role) throw new Error('The intake function has no role to grant its own invocation to');
    new iam.Policy(this, 'InvokeOwnInbox', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] }),
      ],
    });

    this.alarmRule = new events.Rule(this, 'AlarmStateChangeRule', {
      description: 'CloudWatch alarm state changes to Klaxon intake',
      eventPattern: {
        source: ALARM_STATE_CHANGE_PATTERN.source,
        detailType: ALARM_STATE_CHANGE_PATTERN['detail-type'],
      },
      targets: [
        new targets.LambdaFunction(this.function, {
          retryAttempts: 24,
          maxEventAge,
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
  }
}
