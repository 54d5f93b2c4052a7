/** EscalationRunner on AWS Step Functions: one standard state machine per severity tier. */
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { Severity } from '../core/config.js';
import type { EscalationIdentity, EscalationInput } from '../core/ladder.js';
import type { EscalationRunner, PostmortemReminderInput, PostmortemReminderRunner } from '../core/ports.js';

/** Execution names allow 80 characters of [A-Za-z0-9-_]; incident ids (ULIDs) already fit. */
export const executionNameFor = (incidentId: string) => incidentId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80);

export const executionArnFor = (stateMachineArn: string, name: string) =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

/** The name `start` gives a run's execution. */
export const escalationExecutionName = (execution: EscalationIdentity) => executionNameFor(execution.executionName);

export function stepFunctionsEscalation(
  client: SFNClient,
  stateMachines: Partial<Record<Severity, string>>,
): EscalationRunner {
  return {
    async start(input: EscalationInput) {
      const stateMachineArn = stateMachines[input.severity as Severity];
      if (!stateMachineArn) throw new Error(`No escalation state machine for ${input.severity}`);
      // Same name = same incident and run: a second start finds it started already.
      return startOnce(client, stateMachineArn, escalationExecutionName(input), input);
    },
    async stopRun(execution, reason) {
      const stateMachineArn = stateMachines[execution.severity as Severity];
      // `start` refuses a severity without a state machine: nothing of it can be running.
      if (!stateMachineArn) return;
      await stopOnce(client, executionArnFor(stateMachineArn, escalationExecutionName(execution)), reason);
    },
  };
}

/** Stopping an execution that never started (or a crash before it did) is harmless. */
async function stopOnce(client: SFNClient, executionArn: string, reason: string): Promise<void> {
  try {
    await client.send(new StopExecutionCommand({ executionArn, cause: reason.slice(0, 32_768) }));
  } catch (error) {
    if (!(error instanceof ExecutionDoesNotExist)) throw error;
  }
}

/** PostmortemReminderRunner on the post-mortem reminder state machine. */
export function stepFunctionsPostmortemReminders(client: SFNClient, stateMachineArn: string): PostmortemReminderRunner {
  return {
    async start(input: PostmortemReminderInput) {
      // Same name = same incident and run: a retried resolution finds it scheduled already.
      return startOnce(client, stateMachineArn, executionNameFor(input.executionName), input);
    },
  };
}

/** Starts the named execution, or finds it started: the name makes a second start harmless. */
async function startOnce(
  client: SFNClient,
  stateMachineArn: string,
  name: string,
  input: unknown,
): Promise<{ executionArn: string }> {
  try {
    const { executionArn } = await client.send(
      new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
    );
    return { executionArn: executionArn ?? executionArnFor(stateMachineArn, name) };
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists) return { executionArn: executionArnFor(stateMachineArn, name) };
    throw error;
  }
}

/**
 * The client the deployed functions use: aws-ports.ts loads this module on the first call that
 * needs it, so the SDK client comes with it (only what this module imports of it, tree-shaken),
 * never at module init.
 */
export const newSFNClient = () => new SFNClient({});
