/**
 * Two teams: each service's incidents page the team that owns it. An alert for a service team
 * "payments" owns walks its whole ladder, its fallbacks, its status-update reminders and its
 * resolution notice through payments' people alone; the default team's people hear nothing.
 */
import { type KlaxonConfig, parseConfig } from '../../lambdas/core/config.js';
import type { Incident } from '../../lambdas/core/incident.js';
import { ManualClock } from '../../local/clock.js';
import type { OutboxEvent, OutboxPage } from '../../local/outbox.js';
import type { LocalRuntime } from '../../local/runtime.js';
import {
  call,
  consolePage,
  eventually,
  incident,
  LOCAL_ROUTING_KEY,
  outbox,
  remindersIn,
  startTestRuntime,
  testConfig,
} from '../support/local.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const person = (id: string, phone: string) => ({ id, name: id, email: `${id}@example.com`, phone });

function twoTeams(): KlaxonConfig {
  const base = testConfig();
  return parseConfig({
    ...base,
    severityPolicy: {},
    responders: [
      ...base.responders,
      person('pay-primary', '+14155550201'),
      person('pay-secondary', '+14155550202'),
      person('pay-manager', '+14155550203'),
      person('pay-exec', '+14155550204'),
    ],
    teams: [
      ...base.teams,
      {
        id: 'payments',
        services: ['checkout'],
        roles: {
          primary: 'pay-primary',
          secondary: 'pay-secondary',
          'engineering-manager': 'pay-manager',
          executive: 'pay-exec',
        },
      },
    ],
  });
}

describe('two teams on the local runtime', () => {
  let runtime: LocalRuntime;
  const clock = new ManualClock();
  beforeAll(async () => {
    runtime = await startTestRuntime({ clock, config: twoTeams() });
  });
  afterAll(async () => {
    await runtime.stop();
  });

  it("an alert routed to team payments pages only payments' people, at every step, fallback, reminder and notice", async () => {
    // The secondary cannot be reached at all: the fallback goes up payments' own chain.
    await call(runtime, 'POST', '/_local/sns/failures', { responder: 'pay-secondary', channels: ['sms', 'email'] });
    const reply = await call<{ dedup_key: string }>(runtime, 'POST', '/v1/alerts/events', {
      routing_key: LOCAL_ROUTING_KEY,
      event_action: 'trigger',
      payload: {
        summary: 'Card payments declined',
        source: 'klaxon-tests',
        severity: 'critical',
        component: 'checkout',
      },
    });
    expect(reply.status).toBe(202);
    const opened = await eventually(async () => {
      const listed = await call<{ incidents: Incident[] }>(runtime, 'GET', '/v1/incidents?status=open&team=payments');
      return listed.body.incidents.find((item) => item.dedupKey === reply.body.dedup_key);
    }, 'the payments incident');
    expect(opened).toMatchObject({ service: 'checkout', team: 'payments', severity: 'SEV1' });
    // Its lifecycle events say whose it is, so a rule on the bus can follow one team's incidents.
    const events = (await outbox(runtime)).filter(
      (message): message is OutboxEvent => message.service === 'events' && message.detail.incident.id === opened.id,
    );
    expect(events.map((event) => [event.detailType, event.detail.incident.team])).toContainEqual([
      'Incident Opened',
      'payments',
    ]);
    const otherTeam = await call<{ incidents: Incident[] }>(runtime, 'GET', '/v1/incidents?status=open&team=ops');
    expect(otherTeam.body.incidents.map((item) => item.id)).not.toContain(opened.id);
    const consoleOf = async (team: string) => (await consolePage(runtime, `/?team=${team}`)).text();
    // The incident's link, not the outbox (this machine's console also lists the pages sent).
    expect(await consoleOf('payments')).toContain(`href="/incidents/${opened.id}"`);
    expect(await consoleOf('ops')).not.toContain(`href="/incidents/${opened.id}"`);

    await clock.advance(2 * HOUR);
    const sent = (await outbox(runtime)).filter(
      (message): message is OutboxPage => message.service === 'sns' && message.incidentId === opened.id,
    );
    const pages = sent.filter((message) => message.purpose === 'page').map((page) => page.responder);
    expect(pages).toEqual([
      'pay-primary', // 0
      'pay-primary', // 5m
      'pay-manager', // 5m: in place of the unreachable secondary, by payments' chain
      'pay-manager', // 30m: the secondary's step, the manager stands in again
      'pay-manager', // 1h
      'pay-exec', // 2h
    ]);
    const timeline = (await incident(runtime, opened.id)).timeline;
    expect(timeline.filter((entry) => entry.type === 'page-failed').map((entry) => entry.responder)).toEqual([
      'pay-secondary',
      'pay-secondary',
    ]);
    // SEV1 asks for a status update every 15 minutes: payments' primary is reminded.
    const reminded = remindersIn(await outbox(runtime), 'status-update-reminder').filter(
      (message) => message.incidentId === opened.id,
    );
    expect(reminded.length).toBeGreaterThan(0);
    expect(new Set(reminded.map((message) => message.responder))).toEqual(new Set(['pay-primary']));

    const resolved = await call(runtime, 'POST', `/v1/incidents/${opened.id}/resolve`, {
      by: 'pay-primary',
      note: 'Card processor failover',
    });
    expect(resolved.status).toBe(200);
    const notices = await eventually(async () => {
      const found = remindersIn(await outbox(runtime), 'resolution').filter((m) => m.incidentId === opened.id);
      return found.length > 0 ? found : undefined;
    }, 'the resolution notices');
    const everyone = (await outbox(runtime)).filter(
      (message): message is OutboxPage => message.service === 'sns' && message.incidentId === opened.id,
    );
    expect(notices.every((notice) => notice.responder?.startsWith('pay-'))).toBe(true);
    expect(everyone.filter((message) => !message.responder?.startsWith('pay-'))).toEqual([]);

    // Who is on call, per team.
    const onCall = await call<{ roles: { team: string; role: string; now: string }[] }>(
      runtime,
      'GET',
      '/v1/oncall?team=payments',
    );
    expect(onCall.body.roles.map((entry) => [entry.team, entry.role, entry.now])).toEqual([
      ['payments', 'primary', 'pay-primary'],
      ['payments', 'secondary', 'pay-secondary'],
      ['payments', 'engineering-manager', 'pay-manager'],
      ['payments', 'executive', 'pay-exec'],
    ]);
    expect((await call(runtime, 'GET', '/v1/oncall?team=nope')).status).toBe(400);

    // Reports per team: the payments incident counts for payments only.
    const range = `from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z`;
    const report = async (team: string) =>
      (await call<{ incidents: number }>(runtime, 'GET', `/v1/reports?${range}&team=${team}`)).body.incidents;
    expect(await report('payments')).toBe(1);
    expect(await report('ops')).toBe(0);
  });
});
