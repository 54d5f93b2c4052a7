/**
 * Short incident numbers and SMS replies, end to end on the local runtime: an alert opens #n, the
 * page SMS suggests the reply, `POST /_local/sms/inbound` delivers the reply as the two-way SMS
 * topic would, and Klaxon acts as the responder whose phone sent it and texts back.
 */
import type { Incident } from '../../lambdas/core/incident.js';
import type { SmsReplyResult } from '../../lambdas/core/sms-replies.js';
import { ManualClock } from '../../local/clock.js';
import type { OutboxSms } from '../../local/outbox.js';
import { LOCAL_ORIGINATION_NUMBER, type LocalRuntime, startLocalRuntime } from '../../local/runtime.js';
import { call, eventsIn, incident, LOCAL_ROUTING_KEY, outbox, pagesIn, testConfig } from '../support/local.js';

const MINUTE = 60_000;
const PRIMARY_PHONE = '+14155550101';
const SECONDARY_PHONE = '+14155550102';

describe('short incident numbers and SMS replies', () => {
  let runtime: LocalRuntime;
  const clock = new ManualClock();
  beforeAll(async () => {
    runtime = await startLocalRuntime({ port: 0, config: testConfig(), verbose: false, clock, smsReplies: true });
  });
  afterAll(async () => {
    await runtime.stop();
  });

  /** Opens an incident from an Events v2 trigger and returns it once its first page is out. */
  async function open(dedupKey: string, severity = 'critical'): Promise<Incident> {
    const sent = await call(runtime, 'POST', '/v1/alerts/events', {
      routing_key: LOCAL_ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: dedupKey,
      payload: { summary: `Checkout down (${dedupKey})`, source: 'sms-test', severity },
    });
    expect(sent.status).toBe(202);
    await clock.settle();
    const listed = await call<{ incidents: Incident[] }>(runtime, 'GET', '/v1/incidents?status=open&limit=100');
    const found = listed.body.incidents.find((item) => item.title === `Checkout down (${dedupKey})`);
    if (!found) throw new Error(`No incident for ${dedupKey}`);
    return found;
  }

  const reply = async (from: string, body: string, messageId?: string) => {
    const answered = await call<{ results: SmsReplyResult[] }>(runtime, 'POST', '/_local/sms/inbound', {
      from,
      body,
      ...(messageId ? { messageId } : {}),
    });
    expect(answered.status).toBe(200);
    await clock.settle();
    return answered.body.results[0];
  };
  const smsTo = async (phone: string) =>
    (await outbox(runtime)).filter(
      (message): message is OutboxSms => message.service === 'sms' && message.to === phone,
    );

  it('numbers incidents in order; a duplicate alert takes no number; the API finds one by 142 or #142', async () => {
    const first = await open('numbers-a', 'warning');
    await open('numbers-a', 'warning');
    const second = await open('numbers-b', 'warning');
    expect(second.number).toBe(first.number + 1);
    const byNumber = await call<Incident>(runtime, 'GET', `/v1/incidents/${first.number}`);
    expect(byNumber.body.id).toBe(first.id);
    const byHash = await call<Incident>(runtime, 'GET', `/v1/incidents/%23${second.number}`);
    expect(byHash.body.id).toBe(second.id);
    const none = await call<{ message: string }>(runtime, 'GET', '/v1/incidents/987654');
    expect(none).toEqual({ status: 404, body: expect.objectContaining({ message: 'No incident #987654' }) });
  });

  it("ACK <n> from the primary's phone acknowledges as them, stops the ladder and texts back; RES <n> resolves", async () => {
    const opened = await open('sms-ack');
    const [page] = pagesIn(await outbox(runtime)).filter((message) => message.incidentId === opened.id);
    expect(page?.sms).toMatch(new RegExp(`^SEV1 #${opened.number} .* Ack: reply A${opened.number}$`));

    const acked = await reply(PRIMARY_PHONE, `ack ${opened.number}`, 'inbound-ack-1');
    expect(acked).toMatchObject({ outcome: 'acknowledged', incidentId: opened.id, responder: 'primary-oncall' });
    const after = await incident(runtime, opened.id);
    expect(after).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'primary-oncall' });
    expect(after.timeline).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'acknowledged', message: 'Acknowledged by primary-oncall by SMS reply' }),
        expect.objectContaining({ type: 'sms-reply', by: 'primary-oncall', outcome: 'acknowledged' }),
      ]),
    );
    const [event] = eventsIn(await outbox(runtime), { detailType: 'Incident Acknowledged', incidentId: opened.id });
    expect(event?.detail.incident.number).toBe(opened.number);
    expect((await smsTo(PRIMARY_PHONE)).map((sms) => [sms.from, sms.responder, sms.incidentId, sms.sms])).toEqual([
      [
        LOCAL_ORIGINATION_NUMBER,
        'primary-oncall',
        opened.id,
        `Klaxon: #${opened.number} acknowledged by Priya Primary; the escalation stops. Reply RES ${opened.number} once it is resolved.`,
      ],
    ]);

    // SNS delivering the same message again does nothing and sends nothing.
    expect(await reply(PRIMARY_PHONE, `ack ${opened.number}`, 'inbound-ack-1')).toEqual({
      outcome: 'already-handled',
    });
    expect(await smsTo(PRIMARY_PHONE)).toHaveLength(1);

    // The "5m unless acknowledged" step comes due and pages nobody.
    await clock.advance(5 * MINUTE);
    expect(pagesIn(await outbox(runtime)).filter((message) => message.incidentId === opened.id)).toHaveLength(1);

    expect(await reply(PRIMARY_PHONE, `R${opened.number}`)).toMatchObject({ outcome: 'resolved' });
    const resolved = await incident(runtime, opened.id);
    expect(resolved).toMatchObject({ status: 'resolved', resolvedBy: 'primary-oncall' });
    expect(resolved.timeline).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'resolved', message: 'Resolved by primary-oncall by SMS reply' }),
      ]),
    );
    expect((await smsTo(PRIMARY_PHONE)).at(-1)?.sms).toBe(`Klaxon: #${opened.number} resolved by Priya Primary.`);
  });

  it('any registered responder may acknowledge by SMS, as themselves', async () => {
    const opened = await open('sms-secondary');
    expect(await reply(SECONDARY_PHONE, `ACK #${opened.number}`)).toMatchObject({
      outcome: 'acknowledged',
      responder: 'secondary-oncall',
    });
    expect(await incident(runtime, opened.id)).toMatchObject({ acknowledgedBy: 'secondary-oncall' });
  });

  it.each([
    [
      'an unknown number',
      '+15550199999',
      (n: number) => `ACK ${n}`,
      'unknown-sender',
      "is not a responder's registered phone",
    ],
    ['an unknown incident', PRIMARY_PHONE, () => 'ACK 987654', 'unknown-incident', 'there is no incident #987654'],
    [
      'ambiguous text',
      PRIMARY_PHONE,
      (n: number) => `ok ${n} thanks`,
      'not-understood',
      'Reply ACK 142 to acknowledge',
    ],
  ])('a reply from %s changes nothing and gets an SMS that says why', async (_what, from, body, outcome, says) => {
    const opened = await open(`sms-refused-${outcome}`);
    const before = await smsTo(from);
    expect(await reply(from, body(opened.number))).toMatchObject({ outcome });
    expect(await incident(runtime, opened.id)).toMatchObject({ status: 'open' });
    const answers = await smsTo(from);
    expect(answers).toHaveLength(before.length + 1);
    expect(answers.at(-1)?.sms).toContain(says);
    expect(answers.at(-1)?.sms).toContain('nothing was done');
  });

  it('an unknown number is answered once a day, so an auto-responder cannot keep Klaxon texting it', async () => {
    const autoResponder = '+15550188888';
    expect(await reply(autoResponder, 'Thanks for your message! We will get back to you soon.')).toMatchObject({
      outcome: 'unknown-sender',
      answered: true,
    });
    for (const text of ['Thanks for your message! We will get back to you soon.', 'ACK 1']) {
      expect(await reply(autoResponder, text)).toMatchObject({ outcome: 'unknown-sender', answered: false });
    }
    expect(await smsTo(autoResponder)).toHaveLength(1);
    // A responder is answered every time.
    const before = await smsTo(PRIMARY_PHONE);
    await reply(PRIMARY_PHONE, 'hello');
    await reply(PRIMARY_PHONE, 'hello again');
    expect(await smsTo(PRIMARY_PHONE)).toHaveLength(before.length + 2);
  });

  it('a reply for a resolved incident changes nothing and says who resolved it', async () => {
    const opened = await open('sms-resolved');
    await call(runtime, 'POST', `/v1/incidents/${opened.number}/resolve`, { by: 'eng-manager', note: 'fixed' });
    expect(await reply(PRIMARY_PHONE, `ACK ${opened.number}`)).toMatchObject({ outcome: 'already-resolved' });
    expect(await incident(runtime, opened.id)).toMatchObject({ status: 'resolved', resolvedBy: 'eng-manager' });
    expect((await smsTo(PRIMARY_PHONE)).at(-1)?.sms).toMatch(
      new RegExp(`^Klaxon: #${opened.number} is already resolved \\(by eng-manager at .+\\); nothing changed\\.$`),
    );
  });
});
