/**
 * AlertInboxDispatcher on AWS: an asynchronous invocation (InvocationType Event) of the intake
 * function itself, carrying only the chunk's key. Lambda queues it durably before answering, retries
 * a failed run (the function's async settings), and sends what still fails to the intake
 * dead-letter queue, which is alarmed (lib/alert-intake.ts, lib/health.ts).
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { AlertInboxDispatcher } from '../core/alert-inbox.js';
import { inboxEvent } from '../core/intake-invocations.js';

export function lambdaInboxDispatcher(client: LambdaClient, functionName: string): AlertInboxDispatcher {
  return {
    async dispatch(ref) {
      await client.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'Event',
          Payload: Buffer.from(JSON.stringify(inboxEvent(ref))),
        }),
      );
    },
  };
}

/**
 * The client the deployed functions use: aws-ports.ts loads this module on the first call that
 * needs it, so the SDK client comes with it (only what this module imports of it, tree-shaken),
 * never at module init.
 */
export const newLambdaClient = () => new LambdaClient({});
