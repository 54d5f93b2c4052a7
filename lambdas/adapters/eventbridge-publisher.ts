/** LifecyclePublisher on an EventBridge bus. */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { LIFECYCLE_EVENT_SOURCE } from '../core/lifecycle-events.js';
import type { LifecyclePublisher } from '../core/ports.js';

export function eventBridgePublisher(client: EventBridgeClient, eventBusName: string): LifecyclePublisher {
  return {
    async publish(events) {
      if (events.length === 0) return;
      const result = await client.send(
        new PutEventsCommand({
          Entries: events.map((event) => ({
            EventBusName: eventBusName,
            Source: LIFECYCLE_EVENT_SOURCE,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
          })),
        }),
      );
      // PutEvents succeeds as a call even when entries fail; a failed entry must fail the caller so it retries.
      if ((result.FailedEntryCount ?? 0) > 0) {
        const reasons = (result.Entries ?? []).filter((entry) => entry.ErrorCode).map((entry) => entry.ErrorMessage);
        throw new Error(`EventBridge rejected ${result.FailedEntryCount} lifecycle event(s): ${reasons.join('; ')}`);
      }
    },
  };
}
