/** LifecyclePublisher on an EventBridge bus. */
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { LIFECYCLE_EVENT_SOURCE, type LifecycleEvent } from '../core/lifecycle-events.js';
import type { LifecyclePublisher } from '../core/ports.js';

/** EventBridge's limit on a PutEvents call, its entries' sizes added up (see putEventsEntryBytes). */
export const PUT_EVENTS_MAX_BYTES = 262_144;

export function lifecycleEntries(events: LifecycleEvent[], eventBusName: string): PutEventsRequestEntry[] {
  return events.map((event) => ({
    EventBusName: eventBusName,
    Source: LIFECYCLE_EVENT_SOURCE,
    DetailType: event.detailType,
    Detail: JSON.stringify(event.detail),
  }));
}

const utf8 = (text: string | undefined) => (text ? Buffer.byteLength(text, 'utf8') : 0);

/** EventBridge's own count: Time is 14 bytes; Source, DetailType, Detail and each resource their UTF-8 bytes. */
export function putEventsEntryBytes(entry: PutEventsRequestEntry): number {
  return (
    (entry.Time ? 14 : 0) +
    utf8(entry.Source) +
    utf8(entry.DetailType) +
    utf8(entry.Detail) +
    (entry.Resources ?? []).reduce((total, resource) => total + utf8(resource), 0)
  );
}

export function eventBridgePublisher(client: EventBridgeClient, eventBusName: string): LifecyclePublisher {
  return {
    async publish(events) {
      if (events.length === 0) return;
      const result = await client.send(new PutEventsCommand({ Entries: lifecycleEntries(events, eventBusName) }));
      // PutEvents succeeds as a call even when entries fail; a failed entry must fail the caller so it retries.
      if ((result.FailedEntryCount ?? 0) > 0) {
        const reasons = (result.Entries ?? []).filter((entry) => entry.ErrorCode).map((entry) => entry.ErrorMessage);
        throw new Error(`EventBridge rejected ${result.FailedEntryCount} lifecycle event(s): ${reasons.join('; ')}`);
      }
    },
  };
}

/**
 * The client the deployed functions use: aws-ports.ts loads this module on the first call that
 * needs it, so the SDK client comes with it (only what this module imports of it, tree-shaken),
 * never at module init.
 */
export const newEventBridgeClient = () => new EventBridgeClient({});
