/**
 * Handoff schedules: EventBridge Scheduler invokes the page function with a handoff payload at
 * each rotation's handoff (a cron in the rotation's own time zone, so 09:00 Europe/Berlin stays
 * 09:00 across daylight saving) and at the start of each override (a one-time `at()`). Nothing
 * polls: idle cost is the schedules' invocations, a few a week. The function sends each
 * handoff once (a conditional `HANDOFF#` record), so the scheduler's retries are harmless.
 */
import { type CfnElement, Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import type { KlaxonConfig, RotationConfig } from '../lambdas/core/config.js';
import type { HandoffRequest } from '../lambdas/core/handoffs.js';
import type { KlaxonFunction } from './klaxon-function.js';

export interface HandoffSchedulesProps {
  /** The validated config: its rotations (those that fill a role) and overrides. */
  readonly config: KlaxonConfig;
  /** The page function, which also sends handoff notifications. */
  readonly pageFunction: KlaxonFunction;
}

/** The payload without its time: the scheduler adds `at` (its scheduled time) on each invocation. */
type ConfigHandoff = Exclude<HandoffRequest, { handoff: 'cover' }>;
type ScheduledHandoff = {
  [K in ConfigHandoff['handoff']]: Omit<Extract<ConfigHandoff, { handoff: K }>, 'at'>;
}[ConfigHandoff['handoff']];

const CRON_DAYS: Record<NonNullable<RotationConfig['handoffDay']>, string> = {
  monday: 'MON',
  tuesday: 'TUE',
  wednesday: 'WED',
  thursday: 'THU',
  friday: 'FRI',
  saturday: 'SAT',
  sunday: 'SUN',
};

/** `cron(0 9 ? * MON *)` for a Monday 09:00 weekly rotation, `cron(0 9 * * ? *)` for a daily one. */
export function handoffCron(rotation: RotationConfig): string {
  const [hour = '0', minute = '0'] = rotation.handoffTime.split(':');
  const time = `${Number(minute)} ${Number(hour)}`;
  return rotation.every === 'day'
    ? `cron(${time} * * ? *)`
    : `cron(${time} ? * ${CRON_DAYS[rotation.handoffDay ?? 'monday']} *)`;
}

export class HandoffSchedules extends Construct {
  readonly schedules: scheduler.Schedule[] = [];
  /** Assumed by EventBridge Scheduler (this account's only): may invoke the page function and nothing else. */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: HandoffSchedulesProps) {
    super(scope, id);
    const { config, pageFunction } = props;
    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'InvokeRole', {
      description: 'Klaxon: lets the handoff schedules invoke the page function',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    const functionId = stack.getLogicalId(pageFunction.node.defaultChild as CfnElement);
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
      reason:
        'The page function and its versions only: the scheduler target grant covers qualified ARNs of this one function.',
    });
    const invoke = (request: ScheduledHandoff) =>
      new targets.LambdaInvoke(pageFunction, {
        role: this.role,
        input: scheduler.ScheduleTargetInput.fromObject({ ...request, at: scheduler.ContextAttribute.scheduledTime }),
        // A handoff notice an hour late is news nobody needs; three tries within it.
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      });

    for (const team of config.teams) {
      const used = new Set(Object.values(team.onCall).map((schedule) => schedule?.rotation));
      for (const rotation of team.rotations.filter((candidate) => used.has(candidate.id))) {
        this.schedules.push(
          new scheduler.Schedule(this, `Rotation-${team.id}-${rotation.id}`, {
            description: `Klaxon: notify the incoming on-call person of team ${team.id}'s rotation ${rotation.id}`,
            schedule: scheduler.ScheduleExpression.expression(handoffCron(rotation), TimeZone.of(rotation.timeZone)),
            target: invoke({ handoff: 'rotation', team: team.id, rotation: rotation.id }),
          }),
        );
      }
      team.overrides.forEach((override, index) => {
        this.schedules.push(
          new scheduler.Schedule(this, `Override-${team.id}-${index}`, {
            description: `Klaxon: notify ${override.responder}, on call as ${team.id}'s ${override.role} from ${override.from}`,
            schedule: scheduler.ScheduleExpression.at(new Date(Date.parse(override.from))),
            target: invoke({ handoff: 'override', team: team.id, override: index }),
          }),
        );
      });
    }
  }
}
