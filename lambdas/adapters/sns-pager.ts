/** Pager on SNS: one topic per responder (their email and SMS subscriptions); see pagePublishInput. */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Pager } from '../core/ports.js';
import { pagePublishInput } from './sns-publish.js';

export function snsPager(client: SNSClient, topicArnPrefix: string): Pager {
  return {
    async page(delivery) {
      if (delivery.voice !== undefined) {
        throw new Error(
          `Cannot call ${delivery.responder.id}: this deployment has no End User Messaging origination identity (docs/configuration.md)`,
        );
      }
      await client.send(new PublishCommand(pagePublishInput(delivery, `${topicArnPrefix}${delivery.responder.id}`)));
    },
  };
}

/**
 * The client the deployed functions use: aws-ports.ts loads this module on the first call that
 * needs it, so the SDK client comes with it (only what this module imports of it, tree-shaken),
 * never at module init.
 */
export const newSNSClient = () => new SNSClient({});
