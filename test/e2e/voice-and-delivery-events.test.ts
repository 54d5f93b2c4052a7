import { DEFAULT_SEVERITY_POLICY, parseConfig } from '../../lambdas/core/config.js';
import { planLadder } from '../../lambdas/core/ladder.js';
import { ManualClock } from '../../local/clock.js';
import type { OutboxCall, OutboxMessage, OutboxPage, OutboxSms } from '../../local/outbox.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { call, incident, openIncident, outbox, pagesIn, startTestRuntime, testConfig } from '../support/local.js';

const MINUTE = 60_000;

/** The README's example: SEV1 as the runbooks have it, with a call added at its 5-minute step. */
function sev1WithVoice() {
  const sev1 = DEFAULT_SEVERITY_POLICY.SEV1;
  return parseConfig({
    ...testConfig(),
    severityPolicy: {
      SEV1: {
        ...sev1,
        ladder: sev1.ladder.map((step) =>
          step.after === '5m' ? { ...step, channels: ['sms', 'email', 'voice'] } : step,
        ),
      },
    },
  });
}

const callsIn = (messages: OutboxMessage[], incidentId: string) =>
  messages.filter((message): message is OutboxCall => message.service === 'voice' && message.incidentId === incidentId);
function smsTo(messages: OutboxMessage[], incidentId: string, responder: string): OutboxPage {
  const sms = pagesOf(messages, incidentId).find((page) => page.responder === responder && page.sms !== null);
  if (!sms) throw new Error(`No SMS to ${responder} for incident ${incidentId} in the outbox`);
  return sms;
}
const pagesOf = (messages: OutboxMessage[], incidentId: string) =>
  pagesIn(messages).filter((page) => page.incidentId === incidentId);

/** End User Messaging's event record for a message (its documented shape), as its SNS destination delivers it. */
function carrierRejection(sms: OutboxPage) {
  return {
    eventType: 'TEXT_CARRIER_UNREACHABLE',
    eventVersion: '1.0',
    eventTimestamp: 1_765_000_000_000,
    isFinal: true,
    originationPhoneNumber: '+15555550100',
    destinationPhoneNumber: '+15555550101',
    isInternationalSend: false,
    mcc: '310',
    mnc: '800',
    messageId: sms.smsMessageId,
    messageRequestTimestamp: 1_764_999_999_000,
    messageEncoding: 'GSM',
    messageType: 'TRANSACTIONAL',
    messageStatus: 'CARRIER_UNREACHABLE',
    messageStatusDescription: 'Carrier is unreachable',
    context: sms.smsContext,
    totalMessageParts: 1,
    totalMessagePrice: 0.00581,
    totalCarrierFee: 0.00302,
  };
}

describe('voice pages and End User Messaging delivery events on the local runtime', () => {
  let runtime: LocalRuntime;
  const clock = new ManualClock();
  beforeAll(async () => {
    runtime = await startTestRuntime({ clock, config: sev1WithVoice() });
  });
  afterAll(async () => {
    await runtime.stop();
  });

  it('a SEV1 whose policy adds voice at its 5-minute step calls at that step, saying the severity, the title and how to acknowledge', async () => {
    const opened = await openIncident(runtime, 'Checkout is down everywhere', 'critical');
    await clock.advance(4 * MINUTE);
    expect(callsIn(await outbox(runtime), opened.id)).toEqual([]);

    await clock.advance(MINUTE);
    const calls = callsIn(await outbox(runtime), opened.id);
    const dueAt = planLadder(runtime.config.severityPolicy.SEV1, opened.openedAt, 1)[1]?.dueAt;
    expect(calls.map((made) => [made.responder, made.at])).toEqual([
      ['primary-oncall', dueAt],
      ['secondary-oncall', dueAt],
    ]);
    for (const made of calls) {
      expect(made.voice).toContain('Severity 1 incident number 1, escalated: Checkout is down everywhere.');
      expect(made.voice).toContain('To acknowledge, open the acknowledge link in the text message or email');
      expect(made.phone).toBe(runtime.config.responders.find((person) => person.id === made.responder)?.phone);
    }
    // The call comes with the step's SMS and email, as the policy says.
    expect(pagesOf(await outbox(runtime), opened.id).filter((page) => page.sms && page.email)).toHaveLength(3);
    await call(runtime, 'POST', `/v1/incidents/${opened.id}/resolve`, { by: 'primary-oncall' });
  });

  it('an ACK by SMS reply from the primary, before the 5-minute step, acknowledges it: no call, no page, a confirmation SMS', async () => {
    const opened = await openIncident(runtime, 'Search is down', 'critical');
    const { number } = await incident(runtime, opened.id);
    await clock.advance(2 * MINUTE);
    const primary = runtime.config.responders.find((person) => person.id === 'primary-oncall');
    const replied = await call(runtime, 'POST', '/_local/sms/inbound', { from: primary?.phone, body: `ACK ${number}` });
    expect(replied.status).toBe(200);
    expect(await incident(runtime, opened.id)).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'primary-oncall',
    });
    await clock.advance(4 * MINUTE);
    const sent = await outbox(runtime);
    expect(callsIn(sent, opened.id)).toEqual([]);
    expect(pagesOf(sent, opened.id).map((page) => page.responder)).toEqual(['primary-oncall']);
    expect(
      sent
        .filter((message): message is OutboxSms => message.service === 'sms' && message.incidentId === opened.id)
        .map((message) => message.sms),
    ).toEqual([expect.stringContaining(`#${number} acknowledged by Priya Primary`)]);
    await call(runtime, 'POST', `/v1/incidents/${opened.id}/resolve`, { by: 'primary-oncall' });
  });

  it('a call that fails falls back as a failed SMS does: the person by email, the failure on the timeline', async () => {
    expect(
      (await call(runtime, 'POST', '/_local/sns/failures', { responder: 'secondary-oncall', channels: ['voice'] }))
        .status,
    ).toBe(200);
    try {
      const opened = await openIncident(runtime, 'Payments failing for EU cards', 'critical');
      await clock.advance(10 * MINUTE);
      const messages = await outbox(runtime);
      expect(callsIn(messages, opened.id).map((made) => made.responder)).toEqual(['primary-oncall']);
      const toSecondary = pagesOf(messages, opened.id).filter((page) => page.responder === 'secondary-oncall');
      expect(toSecondary).toEqual([expect.objectContaining({ sms: null, email: expect.any(String) })]);
      const timeline = (await incident(runtime, opened.id)).timeline;
      expect(timeline.filter((entry) => entry.type === 'page-failed')).toEqual([
        expect.objectContaining({ responder: 'secondary-oncall', channels: ['sms', 'email', 'voice'], step: 1 }),
      ]);
      expect(timeline.filter((entry) => entry.fallbackFor === 'secondary-oncall')).toEqual([
        expect.objectContaining({ type: 'paged', responder: 'secondary-oncall', channels: ['email'], step: 1 }),
      ]);
      await call(runtime, 'POST', `/v1/incidents/${opened.id}/resolve`, { by: 'primary-oncall' });
    } finally {
      await call(runtime, 'POST', '/_local/sns/failures', { responder: 'secondary-oncall', channels: [] });
    }
  });

  it('an SMS the carrier rejects pages the backup role once, however often the event is delivered', async () => {
    const opened = await openIncident(runtime, 'Search latency over its SLO', 'error');
    await clock.advance(15 * MINUTE);
    const sms = smsTo(await outbox(runtime), opened.id, 'primary-oncall');
    expect(sms).toEqual(expect.objectContaining({ email: null, smsMessageId: expect.any(String) }));

    const first = await call(runtime, 'POST', '/_local/sms/events', carrierRejection(sms));
    const again = await call(runtime, 'POST', '/_local/sms/events', carrierRejection(sms));
    expect([first.status, again.status]).toEqual([200, 200]);

    // The tier's first email and its 15-minute SMS to the primary, then the secondary in the
    // primary's place by SMS and email, as a publish that failed for good would have paged them.
    const pages = pagesOf(await outbox(runtime), opened.id);
    expect(pages.map((page) => [page.responder, page.sms !== null, page.email !== null])).toEqual([
      ['primary-oncall', false, true],
      ['primary-oncall', true, false],
      ['secondary-oncall', true, true],
    ]);
    const timeline = (await incident(runtime, opened.id)).timeline;
    expect(timeline.filter((entry) => entry.type === 'delivery-failed')).toEqual([
      expect.objectContaining({ responder: 'primary-oncall', channels: ['sms'], step: 1 }),
    ]);
    expect(timeline.filter((entry) => entry.fallbackFor === 'primary-oncall')).toEqual([
      expect.objectContaining({ type: 'paged', responder: 'secondary-oncall', channels: ['sms', 'email'], step: 1 }),
    ]);
    await call(runtime, 'POST', `/v1/incidents/${opened.id}/resolve`, { by: 'primary-oncall' });
  });

  it('a rejected SMS that arrives after the resolution pages nobody', async () => {
    const opened = await openIncident(runtime, 'Login failing for all users', 'critical');
    await clock.advance(MINUTE);
    const sms = smsTo(await outbox(runtime), opened.id, 'primary-oncall');
    expect(sms.smsContext).toEqual(expect.objectContaining({ incidentId: opened.id, step: '1/0' }));
    await call(runtime, 'POST', `/v1/incidents/${opened.id}/resolve`, { by: 'primary-oncall' });

    const reply = await call<{ deliveryEvents: unknown[] }>(
      runtime,
      'POST',
      '/_local/sms/events',
      carrierRejection(sms),
    );
    expect(reply.body.deliveryEvents).toEqual([{ paged: [], skipped: 'incident resolved' }]);
    expect(pagesOf(await outbox(runtime), opened.id).map((page) => page.responder)).toEqual(['primary-oncall']);
  });

  it('a delivery event that is not End User Messaging JSON gets a 400 that says so', async () => {
    const reply = await call<{ message: string }>(runtime, 'POST', '/_local/sms/events', 'not json');
    expect(reply.status).toBe(400);
    expect(reply.body.message).toMatch(/not an End User Messaging event record/);
  });
});
