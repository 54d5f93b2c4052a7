/** EscalationRunner on AWS Step Functions: one standard state machine per severity tier. */
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { Severity } from '../core/config.js';
import type { EscalationInput } from '../core/ladder.js';
import type { EscalationRunner, PostmortemReminderRunner } from '../core/ports.js';
import type { PostmortemReminderInput } from '../core/reminders.js';

/** Execution names allow 80 characters of [A-Za-z0-9-_]; incident ids (ULIDs) already fit. */
export const executionNameFor = (incidentId: string) => incidentId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 80);

export const executionArnFor = (stateMachineArn: string, name: string) =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

export function stepFunctionsEscalation(
  client: SFNClient,
  stateMachines: Partial<Record<Severity, string>>,
): EscalationRunner {
  return {
    async start(input: EscalationInput) {
      const stateMachineArn = stateMachines[input.severity as Severity];
      if (!stateMachineArn) throw new Error(`No escalation state machine for ${input.severity}`);
      const name = executionNameFor(input.executionName ?? input.incidentId);
      try {
        const { executionArn } = await client.send(
          new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
        );
        return { executionArn: executionArn ?? executionArnFor(stateMachineArn, name) };
      } catch (error) {
        // Same name = same incident: it was started already (a duplicate or a retried alert).
        if (error instanceof ExecutionAlreadyExists) return { executionArn: executionArnFor(stateMachineArn, name) };
        throw error;
      }
    },
    async stop(executionArn, reason) {
      try {
        await client.send(new StopExecutionCommand({ executionArn, cause: reason.slice(0, 32_768) }));
      } catch (error) {
        if (!(error instanceof ExecutionDoesNotExist)) throw error;
      }
    },
  };
}

/** PostmortemReminderRunner on the post-mortem reminder state machine. */
export function stepFunctionsPostmortemReminders(client: SFNClient, stateMachineArn: string): PostmortemReminderRunner {
  return {
    async start(input: PostmortemReminderInput) {
      const name = executionNameFor(input.executionName);
      try {
        const { executionArn } = await client.send(
          new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
        );
        return { executionArn: executionArn ?? executionArnFor(stateMachineArn, name) };
      } catch (error) {
        // Same name = same incident and run: a retried resolution, already scheduled.
        if (error instanceof ExecutionAlreadyExists) return { executionArn: executionArnFor(stateMachineArn, name) };
        throw error;
      }
    },
  };
}
