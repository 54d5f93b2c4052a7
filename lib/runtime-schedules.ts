/**
 * Klaxon's run-time one-time schedules (lambdas/core/ports.ts OneTimeSchedules): an EventBridge
 * Scheduler group of their own, the role Scheduler assumes to invoke their targets, and the grant
 * a function needs to make, move and delete schedules in that group and nowhere else. The group
 * holds only schedules still to fire (each deletes itself after), so an idle deployment has no
 * schedule invocations to pay for.
 */
import { type CfnElement, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/adapters/environment.js';
import type { ScheduleTarget } from '../lambdas/core/ports.js';
import type { KlaxonFunction } from './klaxon-function.js';

export interface RuntimeSchedulesProps {
  /** The schedule group's name (at most 64 characters). */
  readonly groupName: string;
  /** The functions a schedule may invoke. */
  readonly targets: Record<ScheduleTarget, KlaxonFunction>;
}

export class RuntimeSchedules extends Construct {
  readonly group: scheduler.ScheduleGroup;
  /** Assumed by EventBridge Scheduler, for this account's schedules in this group only: invokes the targets. */
  readonly role: iam.Role;
  private readonly targets: Record<ScheduleTarget, KlaxonFunction>;
  private readonly groupName: string;

  constructor(scope: Construct, id: string, props: RuntimeSchedulesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.targets = props.targets;
    this.groupName = props.groupName;
    this.group = new scheduler.ScheduleGroup(this, 'Group', {
      scheduleGroupName: props.groupName,
      // Its schedules would otherwise outlive the functions they invoke.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'InvokeRole', {
      description: 'Klaxon: lets its run-time one-time schedules invoke the intake and page functions',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': this.scheduleArns() },
        },
      }),
    });
    for (const target of Object.values(props.targets)) {
      target.grantInvoke(this.role);
      const functionId = stack.getLogicalId(target.node.defaultChild as CfnElement);
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${functionId}.Arn>:*]`,
        reason:
          "A schedule's target function and its versions only: grantInvoke covers qualified ARNs of this one function.",
      });
    }
  }

  /** Every schedule in the group. */
  scheduleArns(): string {
    return Stack.of(this).formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${this.group.scheduleGroupName}/*`,
    });
  }

  /**
   * Lets `fn` create, move and delete schedules in the group that invoke `targets`, and pass the
   * role to Scheduler; sets the variables the adapter reads. A function names itself `self`: its
   * own ARN in its own environment would be a dependency cycle.
   */
  grantScheduling(fn: KlaxonFunction, targets: readonly ScheduleTarget[]): void {
    const stack = Stack.of(this);
    fn.addEnvironment(ENV.scheduleGroup, this.group.scheduleGroupName);
    fn.addEnvironment(ENV.schedulerRoleArn, this.role.roleArn);
    fn.addEnvironment(
      ENV.scheduleTargets,
      stack.toJsonString(
        Object.fromEntries(
          targets.map((target) => [target, this.targets[target] === fn ? 'self' : this.targets[target].functionArn]),
        ),
      ),
    );
    fn.addEnvironment(
      ENV.functionArnPrefix,
      `arn:${stack.partition}:lambda:${stack.region}:${stack.account}:function:`,
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
        resources: [this.scheduleArns()],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    // The statements land in the function role's default policy, which is where cdk-nag reports them.
    Validations.of(fn.role ?? fn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${this.groupName}/*]`,
      reason: "Klaxon's own schedule group only: its schedules are named at run time.",
    });
  }
}
