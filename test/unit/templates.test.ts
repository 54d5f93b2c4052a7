import { readFileSync } from 'node:fs';
import { VOICE_TEXT_MAX_CHARS } from '../../lambdas/adapters/sms-voice-send.js';
import { parseConfig } from '../../lambdas/core/config.js';
import { gsm7Length, SMS_SEGMENT_SEPTETS, toGsm7, truncateGsm7 } from '../../lambdas/core/gsm7.js';
import type { Incident } from '../../lambdas/core/incident.js';
import { planLadder } from '../../lambdas/core/ladder.js';
import { resolutionRecipients } from '../../lambdas/core/resolution-notice.js';
import {
  renderEmail,
  renderPage,
  renderPostmortemReminder,
  renderResolutionNotice,
  renderSms,
  renderStatusUpdateReminder,
  renderSubject,
  renderVoice,
  SENDER_FENCE,
} from '../../lambdas/core/templates.js';
import { anIncident } from '../support/incidents.js';

const config = parseConfig(JSON.parse(readFileSync('klaxon.config.json', 'utf8')));
const [firstStep, secondStep] = planLadder(config.severityPolicy.SEV1, '2026-11-20T10:15:00.000Z', 1);
if (!firstStep || !secondStep) throw new Error('the SEV1 ladder has at least two steps');

const incident = (changes: Partial<Incident> = {}) =>
  anIncident({
    openedAt: '2026-11-20T10:15:02.000Z',
    details: { region: 'us-east-1', metric: 'AWS/ApiGateway 5XXError (ApiName=orders-api)', runbook: 'RB-API-001' },
    ...changes,
  });

const context = { apiBaseUrl: 'https://klaxon.example.com', tier: config.severityPolicy.SEV1 };

describe('page messages', () => {
  it('fits the SMS in one GSM-7 segment with severity, number, title and how to acknowledge', () => {
    const sms = renderSms(incident(), firstStep);
    expect(gsm7Length(sms)).toBeLessThanOrEqual(SMS_SEGMENT_SEPTETS);
    expect(sms).toMatch(/^SEV1 #142 orders-api-5xx: Threshold Crossed/);
    expect(sms).toMatch(/Ack: klaxon ack 142$/);
  });

  it('suggests the short SMS reply instead of the link when the deployment takes replies; the email keeps both', () => {
    const link = 'https://klaxon.example.com/v1/ack/abc';
    const sms = renderSms(incident(), firstStep, link, true);
    expect(gsm7Length(sms)).toBeLessThanOrEqual(SMS_SEGMENT_SEPTETS);
    expect(sms).toMatch(/^SEV1 #142 orders-api-5xx: .* Ack: reply A142$/);
    const email = renderPage(incident(), firstStep, { ...context, smsReplies: true }).email ?? '';
    expect(email).toContain('  reply A142 (or ACK 142) to the page SMS');
  });

  it.each([
    ['a very long summary', { summary: 'x'.repeat(2000) }],
    ['a very long title', { title: 'checkout-'.repeat(40) }],
    ['emoji and curly quotes', { title: '🔥 “orders” down', summary: 'Latency — p99 ≥ 2 s 😱' }],
    ['GSM extension characters', { summary: '{[|]}~^€\\'.repeat(30) }],
    ['newlines and control characters', { summary: 'line one\nline two\r\n\u0007bell' }],
    ['a drill', { drill: true }],
  ])('keeps the SMS within 160 GSM-7 septets with %s', (_, changes) => {
    for (const step of [firstStep, secondStep]) {
      const sms = renderSms(incident(changes), step);
      expect(gsm7Length(sms)).toBeLessThanOrEqual(SMS_SEGMENT_SEPTETS);
      expect(sms).toContain('klaxon ack');
    }
  });

  it('marks escalations and drills', () => {
    expect(renderSms(incident(), secondStep)).toMatch(/^SEV1 ESCALATED /);
    expect(renderSms(incident({ drill: true }), firstStep)).toMatch(/^\[DRILL\] SEV1 /);
    expect(renderSubject(incident({ drill: true }))).toMatch(/^\[DRILL\] \[SEV1\]/);
  });

  it('gives the email the whole context: severity, summary, reason, detected time, id, details and how to acknowledge', () => {
    const email = renderEmail(incident(), firstStep, context);
    for (const expected of [
      'Severity: SEV1',
      'Summary: orders-api-5xx',
      'Reason: Threshold Crossed',
      'Detected: 2026-11-20T10:15:02.000Z',
      'Incident: #142 (id 01JD6Z3ZQ7W9Y2V8K4T5R6N3M1)',
      'metric: AWS/ApiGateway 5XXError (ApiName=orders-api)',
      'runbook: RB-API-001',
      'klaxon ack 142',
      'POST https://klaxon.example.com/v1/incidents/142/acknowledge',
      'Acknowledge within 5m',
      'every 15m',
    ]) {
      expect(email).toContain(expected);
    }
  });

  it('renders only the channels the step pages by', () => {
    const emailOnly = { ...firstStep, channels: ['email' as const] };
    const message = renderPage(incident(), emailOnly, context);
    expect(message.sms).toBeUndefined();
    expect(message.email).toContain('INCIDENT DETECTED');
  });

  it.each([
    ['the same', 'orders-api-5xx', 'orders-api-5xx'],
    ['the summary holding the title', 'orders-api-5xx', 'orders-api-5xx: 5xx above 5% for 5 minutes'],
    ['the title holding the summary', 'Orders API 5xx (us-east-1)', 'orders api 5xx'],
  ])('says the title once in the SMS when summary and title are %s', (_, title, summary) => {
    const sms = renderSms(incident({ title, summary }), firstStep);
    expect(sms.toLowerCase().split(title.toLowerCase())).toHaveLength(2);
    expect(sms).toMatch(/^SEV1 [^:]+(: 5xx above 5% for 5 minutes)? Ack: klaxon ack /);
  });

  it('keeps the incident id in a subject under 100 ASCII characters, however long the title', () => {
    const subject = renderSubject(incident({ title: `Überlast im Rechenzentrum ${'sehr '.repeat(40)}` }));
    expect(subject).toMatch(/^\[SEV1\] Uberlast im Rechenzentrum sehr .*\.\.\. \(incident #142\)$/);
    expect(subject.length).toBeLessThan(100);
  });

  it('keeps the subject on one line', () => {
    expect(renderSubject(incident({ title: 'evil\r\nBcc: everyone@example.com' }))).not.toMatch(/[\r\n]/);
  });
});

describe("sender text stays the sender's", () => {
  const forged = 'To acknowledge, open https://evil.example/v1/ack/steal (link valid 24 h, for you only)';
  const breaks = ['\n\n', '\r\n', '\r', '\u2028', '\u2029', '\u0085', '\v', '\f', '\n\u202e'];
  const ackLink = 'https://klaxon.example.com/v1/ack/AwGTTfH-5-J8LaJk0XBqjoEAY-uGB3hVqvLxI4DXGDk';
  const placements = (lineBreak: string): [string, Partial<Incident>][] => [
    ['the title', { title: `orders-api-5xx${lineBreak}${forged}` }],
    ['the summary', { summary: `Threshold Crossed${lineBreak}${forged}` }],
    ['a detail value', { details: { region: `us-east-1${lineBreak}${forged}` } }],
    ['a detail key', { details: { [`region${lineBreak}${forged}`]: 'us-east-1' } }],
  ];
  const cases = breaks.flatMap((lineBreak) =>
    placements(lineBreak).map(([where, changes]) => [where, JSON.stringify(lineBreak), changes] as const),
  );

  it.each(cases)('a line break in %s (%s) cannot forge a line of Klaxon in the email or the SMS', (_, __, changes) => {
    const message = renderPage(incident(changes), firstStep, { ...context, ackLink });
    const email = message.email ?? '';
    const lines = email.split('\n');
    // Klaxon's lines: every line before the fence, and the fence itself. Every line of the sender's starts with "> ".
    const fence = lines.indexOf(SENDER_FENCE);
    expect(fence).toBeGreaterThan(0);
    expect(
      lines.slice(fence + 1).every((line) => line === '' || line.startsWith('> ') || line.startsWith('... ')),
    ).toBe(true);
    expect(lines.filter((line) => /^\s*(To acknowledge|open )/i.test(line))).toEqual([
      'To acknowledge (stops the escalation to the next person):',
      `  open ${ackLink} (link valid 24 h, for you only)`,
    ]);
    expect(lines.filter((line) => line.includes('evil.example')).every((line) => line.startsWith('> '))).toBe(true);
    expect(email).not.toMatch(/[\r\v\f\u0085\u2028\u2029\u202e]/);
    const sms = message.sms ?? '';
    expect(sms).not.toMatch(/[\r\n]/);
    expect(sms).not.toContain('evil.example');
    expect(sms.match(/Ack:/g)).toHaveLength(1);
    expect(sms.endsWith(` Ack: ${ackLink}`)).toBe(true);
  });

  it('quotes a multi-line detail under its label, every line of it', () => {
    const email = renderEmail(
      incident({ details: { trace: 'Error: boom\n  at main (app.js:1)\n  at run' } }),
      firstStep,
      context,
    );
    expect(email).toContain(['>   trace: Error: boom', '>       at main (app.js:1)', '>       at run'].join('\n'));
  });
});

describe('reminder messages', () => {
  const reminder = { lastUpdateAt: '2026-11-20T10:20:00.000Z', now: '2026-11-20T10:35:30.000Z' };

  it.each([
    ['a short title', 'orders-api-5xx'],
    ['a long title with characters outside GSM-7', `Checkout “EU” 🔥 ${'very long title '.repeat(20)}`],
  ])('fits the status-update reminder SMS in one GSM-7 segment, with %s', (_, title) => {
    const message = renderStatusUpdateReminder(
      incident({ title, status: 'acknowledged' }),
      { ...reminder, channels: ['sms', 'email'] },
      context,
    );
    expect(gsm7Length(message.sms ?? '')).toBeLessThanOrEqual(SMS_SEGMENT_SEPTETS);
    expect(message.sms).toMatch(/^SEV1 #142 UPDATE DUE \(15m quiet\) /);
    expect(message.sms).toMatch(/Post: klaxon note 142 "\.\.\."$/);
  });

  it("asks for the runbooks' update in the email, and renders only the channels asked for", () => {
    const message = renderStatusUpdateReminder(
      incident({ drill: true }),
      { ...reminder, channels: ['email'] },
      context,
    );
    expect(message.sms).toBeUndefined();
    expect(message.subject).toMatch(/^\[DRILL\] \[SEV1\] Status update due: orders-api-5xx/);
    expect(message.email).toContain('UPDATE [10:35 UTC]');
    expect(message.email).toContain('Current Status: <Investigating|Mitigating|Resolved>');
    expect(message.email).toContain('every 15m');
    expect(message.email).toContain('klaxon note 142');
  });

  it('starts the post-mortem reminder from the resolution template, by email only', () => {
    const resolved = incident({ status: 'resolved', resolvedAt: '2026-11-20T11:45:02.000Z', resolvedBy: 'sam' });
    const message = renderPostmortemReminder(
      resolved,
      { stage: 'before-due', dueAt: '2026-11-22T11:45:02.000Z' },
      context,
    );
    expect(message.sms).toBeUndefined();
    expect(message.subject).toBe(
      '[SEV1] Post-mortem is due by 2026-11-22T11:45:02.000Z: orders-api-5xx (incident #142)',
    );
    expect(message.email).toContain('RESOLVED [11:45 UTC]');
    expect(message.email).toContain('Duration: 1h 30m');
    expect(message.email).toContain('Post-mortem will be completed by: 2026-11-22T11:45:02.000Z');
    expect(message.email).toContain('POST https://klaxon.example.com/v1/incidents/142/postmortem');
    const due = renderPostmortemReminder(resolved, { stage: 'due', dueAt: '2026-11-22T11:45:02.000Z' }, context);
    expect(due.subject).toMatch(/Post-mortem is due now/);
  });
});

describe('GSM-7', () => {
  it('counts extension characters as two septets and refuses what GSM-7 cannot carry', () => {
    expect(gsm7Length('abc')).toBe(3);
    expect(gsm7Length('€')).toBe(2);
    expect(gsm7Length('🔥')).toBe(Number.POSITIVE_INFINITY);
  });

  it('replaces what it cannot carry and cuts with an ellipsis', () => {
    expect(toGsm7('“hi” — 🔥')).toBe('"hi" - ?');
    expect(truncateGsm7('abcdefghij', 8)).toBe('abcde...');
    expect(truncateGsm7('short', 8)).toBe('short');
  });
});

describe('resolution notice', () => {
  const resolved = (changes: Partial<Incident> = {}) =>
    incident({ status: 'resolved', resolvedAt: '2026-11-20T11:02:02.000Z', resolvedBy: 'primary-oncall', ...changes });

  it("fills the runbooks' resolution template and keeps the SMS to one segment however long the title", () => {
    const title = `Orders API 5xx above 5% in us-east-1 ${'and more context '.repeat(20)}`;
    const message = renderResolutionNotice(
      resolved({ title }),
      { channels: ['sms', 'email'], postmortemDueAt: '2026-11-22T11:02:02.000Z' },
      context,
    );
    expect(gsm7Length(message.sms ?? '')).toBeLessThanOrEqual(SMS_SEGMENT_SEPTETS);
    expect(message.sms).toMatch(/^SEV1 RESOLVED after 47m by primary-oncall: Orders API/);
    expect(message.sms).toMatch(/\(#142\)$/);
    expect(message.email).toContain('RESOLVED [11:02 UTC]');
    expect(message.email).toContain('Duration: 47m');
    expect(message.email).toContain('Post-mortem will be completed by: 2026-11-22T11:02:02.000Z');
  });

  it('goes by email alone to someone paged by email alone, and says [DRILL] on a drill', () => {
    const message = renderResolutionNotice(resolved({ drill: true }), { channels: ['email'] }, context);
    expect(message.sms).toBeUndefined();
    expect(message.subject).toMatch(/^\[DRILL\] \[SEV1\] RESOLVED: /);
  });

  it('reaches each person paged once, on every channel they were paged on', () => {
    const recipients = resolutionRecipients([
      { at: 'a', type: 'paged', responder: 'primary-oncall', channels: ['email'] },
      { at: 'b', type: 'paged', responder: 'primary-oncall', channels: ['sms'] },
      { at: 'c', type: 'paged', responder: 'secondary-oncall', channels: ['sms', 'email'] },
      { at: 'd', type: 'paged', message: 'an entry without a responder is not a recipient' },
    ]);
    expect([...recipients]).toEqual([
      ['primary-oncall', ['sms', 'email']],
      ['secondary-oncall', ['sms', 'email']],
    ]);
  });
});

describe('the page call', () => {
  it('says the severity, the title and how to acknowledge, and says it again', () => {
    const said = renderVoice(
      incident({ title: 'Checkout is down' }),
      secondStep,
      'https://klaxon.example.com/v1/ack/t',
    );
    expect(said).toBe(
      'This is Klaxon. Severity 1 incident number 142, escalated: Checkout is down. To acknowledge, open the acknowledge link in the text message or email Klaxon sent you. ' +
        'Again: Severity 1 incident number 142, escalated: Checkout is down. To acknowledge, open the acknowledge link in the text message or email Klaxon sent you.',
    );
  });

  it.each([
    [
      'a drill says so',
      { drill: true },
      firstStep,
      undefined,
      /^This is Klaxon, with a drill\. Severity 1 incident number 142: /,
    ],
    ['without ack links, the CLI', {}, firstStep, undefined, /To acknowledge, run klaxon ack 142\./],
    [
      'a reassigned step',
      {},
      { ...firstStep, reason: 'reassigned' as const },
      undefined,
      /incident number 142, assigned to you:/,
    ],
    [
      'a link in the title is not read out',
      { title: 'Down, see https://status.example.com/x' },
      firstStep,
      undefined,
      /Down, see a link\./,
    ],
  ])('%s', (_what, changes, step, ackLink, expected) => {
    expect(renderVoice(incident(changes), step, ackLink)).toMatch(expected);
  });

  it('says to reply A and the number when the deployment takes SMS replies', () => {
    expect(renderVoice(incident({}), firstStep, 'https://klaxon.example.com/v1/ack/t', true)).toContain(
      'To acknowledge, reply A 142 to the text message Klaxon sent you.',
    );
  });

  it('stays within what SendVoiceMessage takes as text, whatever the title', () => {
    const said = renderVoice(incident({ title: 'x'.repeat(50_000), summary: 'y'.repeat(50_000) }), secondStep);
    expect(said.length).toBeLessThanOrEqual(VOICE_TEXT_MAX_CHARS);
  });

  it('is in the page only when the step calls', () => {
    expect(renderPage(incident(), firstStep, context).voice).toBeUndefined();
    expect(renderPage(incident(), { ...secondStep, channels: ['voice'] }, context)).toEqual(
      expect.objectContaining({ sms: undefined, email: undefined, voice: expect.stringContaining('Severity 1') }),
    );
  });
});
