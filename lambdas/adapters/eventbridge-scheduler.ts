/**
 * One-time schedules on EventBridge Scheduler: an `at()` schedule in Klaxon's own schedule group
 * per piece of work, deleted by Scheduler once it has fired (ActionAfterCompletion DELETE), so
 * the group holds only what is still to come. Moving a schedule is an UpdateSchedule of the same
 * name; the first schedule of a name is a CreateSchedule.
 */
import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import type { Clock, OneTimeSchedules, ScheduleTarget } from '../core/ports.js';
import { atExpression, ScheduleError, scheduleInput } from '../core/schedules.js';

export interface SchedulerSettings {
  groupName: string;
  /** The role Scheduler assumes to invoke the targets. */
  roleArn: string;
  /** The functions this one may schedule work for, by target. */
  targetArns: Partial<Record<ScheduleTarget, string>>;
}

export function eventBridgeOneTimeSchedules(
  client: SchedulerClient,
  settings: () => SchedulerSettings,
  clock: Clock,
): OneTimeSchedules {
  return {
    async schedule(name, at, work) {
      const input = scheduleInput(name, work);
      const { groupName, roleArn, targetArns } = settings();
      const arn = targetArns[work.target];
      if (!arn) {
        throw new ScheduleError(
          `This function may not schedule work for the ${work.target} function (its KlaxonFunction has no schedules binding for it)`,
        );
      }
      const request: CreateScheduleCommandInput = {
        Name: name,
        GroupName: groupName,
        ScheduleExpression: atExpression(at, clock.now()),
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        // Scheduler's default retry policy (185 attempts over 24 hours) stands: a deadline that
        // opens an incident must not be dropped because one invocation was throttled.
        Target: { Arn: arn, RoleArn: roleArn, Input: input },
      };
      try {
        await client.send(new CreateScheduleCommand(request));
      } catch (error) {
        if (!(error instanceof ConflictException)) throw error;
        try {
          await client.send(new UpdateScheduleCommand(request));
        } catch (updateError) {
          // It fired and was deleted between the two calls: this is a new schedule after all.
          if (!(updateError instanceof ResourceNotFoundException)) throw updateError;
          await client.send(new CreateScheduleCommand(request));
        }
      }
    },
    async cancel(name) {
      try {
        await client.send(new DeleteScheduleCommand({ Name: name, GroupName: settings().groupName }));
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
    },
  };
}

/**
 * The settings the stack gives a function (lib/runtime-schedules.ts). A function cannot name its
 * own ARN in its environment (CloudFormation would see a cycle), so the stack writes `self` for
 * it, and the ARN is made from the ARN prefix and the name Lambda gives the running function.
 */
export function schedulerSettingsFromEnvironment(
  env: NodeJS.ProcessEnv,
  variables: { group: string; role: string; targets: string; functionArnPrefix: string },
): SchedulerSettings {
  const groupName = env[variables.group];
  const roleArn = env[variables.role];
  const targets = env[variables.targets];
  if (!groupName || !roleArn || !targets) {
    throw new ScheduleError(
      `This function has no run-time schedules: ${variables.group}, ${variables.role} and ${variables.targets} are set by RuntimeSchedules.grantScheduling in the Klaxon stack`,
    );
  }
  const own = `${env[variables.functionArnPrefix] ?? ''}${env.AWS_LAMBDA_FUNCTION_NAME ?? ''}`;
  const named = JSON.parse(targets) as Partial<Record<ScheduleTarget, string>>;
  const targetArns = Object.fromEntries(
    Object.entries(named).map(([target, arn]) => [target, arn === 'self' ? own : arn]),
  ) as Partial<Record<ScheduleTarget, string>>;
  return { groupName, roleArn, targetArns };
}

/**
 * The client the deployed functions use: aws-ports.ts loads this module on the first call that
 * needs it, so the SDK client comes with it (only what this module imports of it, tree-shaken),
 * never at module init.
 */
export const newSchedulerClient = () => new SchedulerClient({});
