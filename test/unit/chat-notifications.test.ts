import { CHAT_EVENT_TYPE, chatNotification } from '../../lambdas/core/chat-notifications.js';
import type { Incident } from '../../lambdas/core/incident.js';
import { lifecycleEvent } from '../../lambdas/core/lifecycle-events.js';
import { amazonQCustomNotificationSchema } from '../support/amazon-q-notification.js';
import { anIncident } from '../support/incidents.js';

const base = 'https://klaxon.example.com';
const at = '2026-11-20T10:20:00.000Z';
const incident = (changes: Partial<Incident> = {}) =>
  anIncident({ id: '01CHAT', title: 'orders-api-5xx', severity: 'SEV1', service: 'orders', ...changes });
const render = (kind: Parameters<typeof lifecycleEvent>[0], changes: Partial<Incident>, extra = {}) =>
  chatNotification(lifecycleEvent(kind, incident(changes), at, extra).detail, base);

describe('chat notifications', () => {
  it.each([
    ['opened', {}, {}, 'SEV1 #142 orders-api-5xx opened', null],
    ['acknowledged', { status: 'acknowledged', acknowledgedBy: 'priya' }, {}, 'acknowledged', 'by priya'],
    ['escalated', {}, { step: 1, run: 1, roles: ['secondary'] }, 'escalated to secondary', null],
    [
      'escalated',
      {},
      { step: 1, run: 1, roles: ['secondary'], manual: true, by: 'sam' },
      'escalated by hand',
      'by sam',
    ],
    ['resolved', { status: 'resolved', resolvedBy: 'sam' }, {}, 'resolved', 'by sam'],
    ['reopened', {}, { episode: 2 }, 'reopened', null],
    [
      'reminded',
      { status: 'resolved' },
      { reminder: 'postmortem', stage: 'due', responder: 'priya', dueAt: at },
      'post-mortem due',
      'by priya',
    ],
  ] as const)(
    'a %s event says what happened and who did it, in the documented shape',
    (kind, changes, extra, what, who) => {
      const notification = render(kind, changes, extra);
      expect(amazonQCustomNotificationSchema.safeParse(notification).error).toBeUndefined();
      expect(notification?.content.title).toContain(what);
      expect(notification?.content.description.includes(' by ')).toBe(who !== null);
      expect(notification?.content.description).toContain(who ?? '');
      expect(notification?.content.description).toContain(`${base}/incidents/01CHAT`);
      expect(notification?.metadata).toMatchObject({
        threadId: '01CHAT',
        eventType: CHAT_EVENT_TYPE,
        relatedResources: [`${base}/incidents/01CHAT`, `${base}/v1/incidents/01CHAT`],
        additionalContext: {
          incidentId: '01CHAT',
          status: (changes as Partial<Incident>).status ?? 'open',
          severity: 'SEV1',
        },
      });
    },
  );

  it('offers the buttons only while the incident is unresolved', () => {
    expect(render('opened', {})?.metadata.enableCustomActions).toBe(true);
    expect(render('acknowledged', { status: 'acknowledged' })?.metadata.enableCustomActions).toBe(true);
    expect(render('resolved', { status: 'resolved' })?.metadata.enableCustomActions).toBe(false);
  });

  it.each([
    ['paged', {}, { responder: 'priya', channels: ['sms'], step: 0, run: 1 }],
    ['reminded', {}, { reminder: 'status-update', responder: 'priya', channels: ['email'] }],
    ['reminded', { status: 'resolved' }, { reminder: 'postmortem', stage: 'before-due', responder: 'priya' }],
  ] as const)('a %s event stays out of the channel (%j)', (kind, changes, extra) => {
    expect(render(kind, changes, extra)).toBeUndefined();
  });

  it('gives each retried copy of an event the same id, and each ladder step its own', () => {
    const step = (n: number) => render('escalated', {}, { step: n, run: 1, roles: ['secondary'] })?.id;
    expect(step(1)).toBe(step(1));
    expect(step(1)).not.toBe(step(2));
  });

  it('keeps a very long title to one readable line', () => {
    const notification = render('opened', { title: 'x'.repeat(5_000) });
    expect(notification?.content.title.length).toBeLessThanOrEqual(250);
    expect(amazonQCustomNotificationSchema.safeParse(notification).success).toBe(true);
  });
});
