/**
 * SDK clients built on first use (lambdas/adapters/lazy.ts): a function's cold start builds no
 * client its request does not call, and the adapters work through the stand-in as through the client.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { eventBridgePublisher } from '../../lambdas/adapters/eventbridge-publisher.js';
import { lazy } from '../../lambdas/adapters/lazy.js';
import { lifecycleEvent } from '../../lambdas/core/lifecycle-events.js';
import { anIncident } from '../support/incidents.js';

describe('a lazily built SDK client', () => {
  const events = mockClient(EventBridgeClient);
  beforeEach(() => events.reset());
  const event = lifecycleEvent('opened', anIncident(), '2026-11-20T10:15:00.000Z');

  function countedClient() {
    const built: EventBridgeClient[] = [];
    const client = lazy(() => {
      const made = new EventBridgeClient({ region: 'us-east-1' });
      built.push(made);
      return made;
    });
    return { client, built };
  }

  it('is not built when the adapter using it is made', () => {
    const { client, built } = countedClient();
    eventBridgePublisher(client, 'klaxon-incidents');
    expect(built).toHaveLength(0);
  });

  it('is built on the first call, once, and the calls reach the service', async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    const { client, built } = countedClient();
    const publisher = eventBridgePublisher(client, 'klaxon-incidents');
    await publisher.publish([event]);
    await publisher.publish([event]);
    expect(built).toHaveLength(1);
    expect(events.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries?.[0]?.EventBusName)).toEqual([
      'klaxon-incidents',
      'klaxon-incidents',
    ]);
  });

  it('is the client for whoever checks what it is', async () => {
    const { client } = countedClient();
    expect(client).toBeInstanceOf(EventBridgeClient);
    expect(await client.config.region()).toBe('us-east-1');
  });
});
