/**
 * AlertInboxDispatcher on AWS: an asynchronous invocation (InvocationType Event) of the intake
 * function itself, carrying only the chunk's key. Lambda queues it durably before answering, retries
 * a failed run (the function's async settings), and sends what still fails to the intake
 * dead-letter queue, which is alarmed (lib/alert-intake.ts, lib/health.ts).
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { type AlertInboxDispatcher, inboxEvent } from '../core/alert-inbox.js';

type LambdaSdk = Pick<typeof import('@aws-sdk/client-lambda'), 'InvokeCommand'> & { client: LambdaClient };

/**
 * The Lambda client is loaded on the first dispatch, not at cold start: only per-alert
 * Alertmanager deliveries fan out, and every other alert would pay for loading it.
 */
export function lambdaInboxDispatcher(functionName: string, sdk?: LambdaSdk): AlertInboxDispatcher {
  let loaded: Promise<LambdaSdk> | undefined = sdk ? Promise.resolve(sdk) : undefined;
  const load = async (): Promise<LambdaSdk> => {
    const { InvokeCommand, LambdaClient } = await import('@aws-sdk/client-lambda');
    return { InvokeCommand, client: new LambdaClient({}) };
  };
  return {
    async dispatch(ref) {
      loaded ??= load();
      const { client, InvokeCommand } = await loaded;
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
