/**
 * Chat end to end on the local runtime, on a clock the test advances: every lifecycle event a
 * channel hears about reaches the chat topic as a custom notification in the shape Amazon Q
 * Developer documents, and the channel's Acknowledge and Resolve buttons act on the incident.
 */
import { ManualClock } from '../../local/clock.js';
import type { OutboxChat } from '../../local/outbox.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { amazonQCustomNotificationSchema } from '../support/amazon-q-notification.js';
import { call, incident, openIncident, outbox, startTestRuntime } from '../support/local.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('chat notifications', () => {
  const clock = new ManualClock();
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime({ clock });
  });
  afterAll(async () => {
    await runtime.stop();
  });

  const chatsAbout = async (incidentId: string) =>
    (await outbox(runtime)).filter(
      (message): message is OutboxChat => message.service === 'chat' && message.incidentId === incidentId,
    );

  it('a SEV1 posts opened, escalated, acknowledged, resolved and post-mortem due to the channel, each valid for Amazon Q; its buttons record the chat', async () => {
    const opened = await openIncident(runtime, 'Checkout returns 502', 'critical');
    // SEV1's second step (5 min, unless acknowledged) escalates to the secondary.
    await clock.advance(5 * MINUTE);
    const acknowledged = await runtime.pressChatButton({ action: 'acknowledge', incidentId: opened.id });
    expect(acknowledged).toMatchObject({ changed: true, status: 'acknowledged' });
    await clock.advance(MINUTE);
    const resolved = await runtime.pressChatButton({ action: 'resolve', incidentId: opened.id });
    expect(resolved).toMatchObject({ changed: true, status: 'resolved' });
    // SEV1's post-mortem is due 48 h after the resolution.
    await clock.advance(48 * HOUR);

    const chats = await chatsAbout(opened.id);
    expect(chats.map((chat) => chat.notification.content.title)).toEqual([
      expect.stringMatching(/SEV1 #1 Checkout returns 502 opened$/),
      expect.stringMatching(/SEV1 #1 Checkout returns 502 escalated to primary, secondary: nobody stopped the ladder$/),
      expect.stringMatching(/SEV1 #1 Checkout returns 502 acknowledged$/),
      expect.stringMatching(/SEV1 #1 Checkout returns 502 resolved$/),
      expect.stringMatching(/SEV1 #1 Checkout returns 502 post-mortem due$/),
    ]);
    for (const chat of chats) {
      // The SNS message is the notification's JSON: what Amazon Q parses is what the schema checks.
      const published: unknown = JSON.parse(JSON.stringify(chat.notification));
      expect(amazonQCustomNotificationSchema.safeParse(published).error).toBeUndefined();
      expect(chat.notification.metadata.threadId).toBe(opened.id);
      expect(chat.notification.content.description).toContain(`${runtime.url}/incidents/${opened.id}`);
    }
    expect(chats.map((chat) => chat.notification.metadata.enableCustomActions)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(chats[2]?.notification.content.description).toContain('acknowledged by chat');
    expect(chats[3]?.notification.content.description).toContain('resolved by chat');

    const stored = await incident(runtime, opened.id);
    expect(stored).toMatchObject({ status: 'resolved', acknowledgedBy: 'chat', resolvedBy: 'chat' });
    expect(stored.timeline.map((entry) => entry.message)).toEqual(
      expect.arrayContaining(['Acknowledged by chat', 'Resolved by chat']),
    );
  });

  it('a button pressed after the incident moved on says so and changes nothing', async () => {
    const opened = await openIncident(runtime, 'Search latency', 'critical');
    await runtime.pressChatButton({ action: 'resolve', incidentId: opened.id });
    expect(await runtime.pressChatButton({ action: 'resolve', incidentId: opened.id })).toMatchObject({
      changed: false,
      message: expect.stringContaining('already resolved'),
    });
    expect(await runtime.pressChatButton({ action: 'acknowledge', incidentId: 'no-such-incident' })).toMatchObject({
      changed: false,
      message: expect.stringContaining('no-such-incident'),
    });
    // Through the local endpoint, as `npm start` users press it: a payload no button sends is a 400.
    const refused = await call<{ message: string }>(runtime, 'POST', '/_local/chat/actions', {
      action: 'escalate',
      incidentId: opened.id,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/^Not a Klaxon chat action: 'action'/);
  });
});
