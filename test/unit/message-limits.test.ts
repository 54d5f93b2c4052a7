/**
 * Every message Klaxon publishes fits its channel whatever the alert holds: the SNS publish under
 * 256 KB with all its bodies, the SMS in a few GSM-7 segments with its ack link whole, the subject
 * as SNS takes it, each lifecycle event under EventBridge's 256 KB. The local outbox refuses what
 * SNS and EventBridge would.
 */
import { readFileSync } from 'node:fs';
import {
  lifecycleEntries,
  PUT_EVENTS_MAX_BYTES,
  putEventsEntryBytes,
} from '../../lambdas/adapters/eventbridge-publisher.js';
import {
  pagePublishInput,
  SNS_PUBLISH_MAX_BYTES,
  snsPublishBytes,
  snsRefusal,
} from '../../lambdas/adapters/sns-publish.js';
import { parseConfig } from '../../lambdas/core/config.js';
import { responderById } from '../../lambdas/core/config-lookups.js';
import { gsm7Length, SMS_MAX_SEGMENTS, smsSegments } from '../../lambdas/core/gsm7.js';
import type { Incident } from '../../lambdas/core/incident.js';
import { planLadder } from '../../lambdas/core/ladder.js';
import { LIFECYCLE_DETAIL_TYPES, lifecycleEvent } from '../../lambdas/core/lifecycle-events.js';
import type { PageDelivery } from '../../lambdas/core/ports.js';
import {
  type PageMessage,
  renderHandoff,
  renderPage,
  renderPostmortemReminder,
  renderResolutionNotice,
  renderStatusUpdateReminder,
} from '../../lambdas/core/templates.js';
import { Outbox } from '../../local/outbox.js';
import { anIncident } from '../support/incidents.js';

const config = parseConfig(JSON.parse(readFileSync('klaxon.config.json', 'utf8')));
const primaryOncall = responderById(config, 'primary-oncall');
if (!primaryOncall) throw new Error('the local config has a primary-oncall responder');
const primary = primaryOncall;
const steps = planLadder(config.severityPolicy.SEV1, '2026-11-20T10:15:00.000Z', 1);
const [firstStep, secondStep] = steps;
if (!firstStep || !secondStep) throw new Error('the SEV1 ladder has at least two steps');
const apiBaseUrl = 'https://abcdef1234.execute-api.eu-west-1.amazonaws.com';
const context = {
  apiBaseUrl,
  tier: config.severityPolicy.SEV1,
  // As long as a real one on AWS: the execute-api host and a signed token (43 characters).
  ackLink: `${apiBaseUrl}/v1/ack/${'A'.repeat(43)}`,
};

const manyDetails = (count: number, value: (i: number) => string) =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`detail-${i}`, value(i)]));

/** Text that costs the most per character once JSON-escaped and UTF-8 encoded. */
const costly = '"\\😱€漢\u0000\u2028\ud800';

const worstCases: [string, Partial<Incident>][] = [
  ['190 KB in one detail', { details: { log: 'x'.repeat(190_000) } }],
  ['190 KB of details, 19 of 10 KB', { details: manyDetails(19, () => 'y'.repeat(10_000)) }],
  ['5,000 details', { details: manyDetails(5_000, (i) => `value ${i} ${'z'.repeat(100)}`) }],
  ['details of emoji, CJK, quotes and backslashes', { details: manyDetails(300, () => costly.repeat(2_000)) }],
  ['keys of 10,000 characters', { details: manyDetails(50, (i) => `${i}`.padEnd(10_000, '🔥')) }],
  [
    'a 100 KB title and summary with line breaks',
    { title: 'down\n'.repeat(20_000), summary: 'why\r\n'.repeat(20_000) },
  ],
  [
    'a title and summary in UCS-2',
    { title: '数据库停止响应 😱'.repeat(500), summary: 'Задержка репликации'.repeat(500) },
  ],
  ['control characters and lone surrogates everywhere', { title: costly.repeat(3_000), summary: costly.repeat(3_000) }],
];

/** Every message of an incident: each step's page, both reminders, the resolution notice, the handoff. */
function messagesAbout(incident: Incident): PageMessage[] {
  const resolved = {
    ...incident,
    status: 'resolved' as const,
    resolvedAt: '2026-11-20T11:15:00.000Z',
    resolvedBy: 'x\n'.repeat(64),
  };
  return [
    ...steps.map((step) => renderPage(incident, { ...step, channels: ['sms', 'email'] }, context)),
    renderStatusUpdateReminder(
      incident,
      { lastUpdateAt: incident.openedAt, now: '2026-11-20T10:45:00.000Z', channels: ['sms', 'email'] },
      context,
    ),
    renderPostmortemReminder(resolved, { stage: 'due', dueAt: '2026-11-22T11:15:00.000Z' }, context),
    renderResolutionNotice(
      resolved,
      { channels: ['sms', 'email'], postmortemDueAt: '2026-11-22T11:15:00.000Z' },
      context,
    ),
    renderHandoff({
      responder: primary,
      role: 'primary',
      until: '2026-11-21T09:00:00.000Z',
      incidents: Array.from({ length: 5_000 }, () => incident),
    }),
  ];
}

describe('every message fits its channel, whatever the alert holds', () => {
  it.each(worstCases)('%s', (_, changes) => {
    const incident = anIncident({ openedAt: '2026-11-20T10:15:00.000Z', ...changes });
    for (const message of messagesAbout(incident)) {
      const delivery: PageDelivery = { responder: primary, incidentId: incident.id, ...message };
      const publish = pagePublishInput(delivery, `arn:aws:sns:eu-west-1:123456789012:klaxon-responder-${primary.id}`);
      expect(snsPublishBytes(publish)).toBeLessThan(SNS_PUBLISH_MAX_BYTES);
      expect(snsRefusal(publish)).toBeUndefined();
      expect(message.subject).toMatch(/^[\x20-\x7e]{1,99}$/);
      if (message.sms !== undefined) {
        expect(gsm7Length(message.sms)).toBeLessThan(Number.POSITIVE_INFINITY);
        expect(smsSegments(message.sms)).toBeLessThanOrEqual(SMS_MAX_SEGMENTS);
        expect(message.sms).not.toMatch(/[\r\n]/);
      }
    }
    for (const kind of Object.keys(LIFECYCLE_DETAIL_TYPES) as (keyof typeof LIFECYCLE_DETAIL_TYPES)[]) {
      const [entry] = lifecycleEntries([lifecycleEvent(kind, incident, incident.openedAt, { step: 4 })], 'klaxon');
      expect(putEventsEntryBytes(entry ?? {})).toBeLessThan(PUT_EVENTS_MAX_BYTES);
    }
  });

  it('says in the email how much of the alert it left out, and where to see it whole', () => {
    const incident = anIncident({ details: manyDetails(5_000, () => 'v'.repeat(3_000)) });
    const email = renderPage(incident, firstStep, context).email ?? '';
    expect(email).toMatch(/\.\.\. 4,?9\d\d more details not shown, \d+ values? truncated to fit this email/);
    expect(email).toContain(`klaxon show ${incident.number}`);
  });

  it('keeps the ack link whole in the SMS, giving it another segment rather than cutting it', () => {
    const longLink = `${apiBaseUrl}/v1/ack/${'B'.repeat(140)}`;
    const incident = anIncident({ title: 'checkout '.repeat(50), summary: 'latency '.repeat(50) });
    const sms = renderPage(incident, secondStep, { ...context, ackLink: longLink }).sms ?? '';
    expect(sms.endsWith(` Ack: ${longLink}`)).toBe(true);
    expect(smsSegments(sms)).toBe(2);
    expect(sms).toMatch(/^SEV1 ESCALATED #142 checkout checkout/);
  });

  it('keeps a page SMS with an AWS ack link to one segment, the title before the summary', () => {
    for (const step of steps) {
      const sms = renderPage(anIncident({ summary: 'latency '.repeat(50) }), step, context).sms ?? '';
      expect(smsSegments(sms)).toBe(1);
      expect(sms).toMatch(/^SEV1 (ESCALATED )?#142 orders-api-5xx: latency/);
    }
  });
});

describe('the local outbox refuses what AWS would refuse', () => {
  const quiet = () => undefined;

  it('refuses a 300 KB publish as SNS does, and keeps nothing of it', async () => {
    const outbox = new Outbox(quiet);
    const delivery: PageDelivery = { responder: primary, incidentId: 'x', subject: 'big', email: 'e'.repeat(300_000) };
    await expect(outbox.pager().page(delivery)).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Invalid parameter: Message too long',
    });
    expect(outbox.messages).toEqual([]);
  });

  it('takes a publish just under the limit, counting the default body that repeats the email', async () => {
    const outbox = new Outbox(quiet);
    await outbox.pager().page({ responder: primary, subject: 'fits', email: 'e'.repeat(130_000) });
    await expect(
      outbox.pager().page({ responder: primary, subject: 'no', email: 'e'.repeat(132_000) }),
    ).rejects.toThrow('Message too long');
    expect(outbox.pages()).toHaveLength(1);
  });

  it('refuses lifecycle events over EventBridge’s 256 KB, as PutEvents does', async () => {
    const outbox = new Outbox(quiet);
    const event = lifecycleEvent('opened', anIncident(), '2026-11-20T10:15:00.000Z', { blob: 'b'.repeat(300_000) });
    await expect(outbox.publisher().publish([event])).rejects.toMatchObject({ name: 'ValidationException' });
    expect(outbox.messages).toEqual([]);
  });
});
