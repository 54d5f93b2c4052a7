/** The reminder decisions, with the time passed in: when a status update is due, and the post-mortem plan. */
import { DEFAULT_SEVERITY_POLICY } from '../../lambdas/core/config.js';
import { defaultTeam } from '../../lambdas/core/config-lookups.js';
import {
  decidePostmortemReminder,
  decideStatusUpdateReminder,
  planPostmortemReminders,
  statusReminderChannels,
  statusUpdateLookName,
  whoToRemind,
} from '../../lambdas/core/reminders.js';
import { SCHEDULE_NAME } from '../../lambdas/core/schedules.js';
import { aLaterRun, anIncident } from '../support/incidents.js';
import { testConfig } from '../support/local.js';

const FIFTEEN_MINUTES = 15 * 60;
const opened = '2026-11-20T10:15:00.000Z';
const at = (minutesAfterOpen: number) => new Date(Date.parse(opened) + minutesAfterOpen * 60_000);
const iso = (minutesAfterOpen: number) => at(minutesAfterOpen).toISOString();

const decide = (
  now: number,
  changes: Parameters<typeof anIncident>[0] = {},
  facts: { noteTimes?: readonly string[]; reminderTimes?: readonly string[]; everySeconds?: number } = {},
) =>
  decideStatusUpdateReminder({
    incident: anIncident({ openedAt: opened, ...changes }),
    everySeconds: 'everySeconds' in facts ? facts.everySeconds : FIFTEEN_MINUTES,
    noteTimes: [...(facts.noteTimes ?? [])],
    reminderTimes: [...(facts.reminderTimes ?? [])],
    now: at(now),
  });

describe('when a status update is due', () => {
  it.each([
    ['14 minutes after opening: wait until 15', 14, {}, {}, 'wait', 15],
    ['15 minutes after opening: remind', 15, {}, {}, 'remind', 15],
    [
      'an acknowledgement at 10 moves it to 25',
      20,
      { status: 'acknowledged', acknowledgedAt: iso(10) },
      {},
      'wait',
      25,
    ],
    [
      'a note at 22 moves it to 37',
      30,
      { status: 'acknowledged', acknowledgedAt: iso(10) },
      { noteTimes: [iso(22), iso(3)] },
      'wait',
      37,
    ],
    ['a reminder at 25 moves it to 40', 39, {}, { reminderTimes: [iso(25), iso(15)] }, 'wait', 40],
    [
      'the newest of note and reminder counts',
      55,
      {},
      { reminderTimes: [iso(25)], noteTimes: [iso(31)] },
      'remind',
      46,
    ],
    [
      'a reopening at 90 counts from 90',
      100,
      { reopenedAt: iso(90), acknowledgedAt: iso(5) },
      { reminderTimes: [iso(20)] },
      'wait',
      105,
    ],
    [
      'long overdue (a restart): remind once, dated from the last update',
      300,
      {},
      { noteTimes: [iso(40)] },
      'remind',
      55,
    ],
  ] as const)('%s', (_, now, changes, facts, kind, dueMinutes) => {
    expect(decide(now, changes, facts)).toMatchObject({ kind, dueAt: iso(dueMinutes) });
  });

  it('never reminds about a resolved incident, nor for a tier without status updates', () => {
    expect(decide(60, { status: 'resolved' }).kind).toBe('none');
    expect(decide(60, {}, { everySeconds: undefined }).kind).toBe('none');
  });

  it('never reminds while a maintenance window holds the page (a reopening it held): nobody was paged', () => {
    const { ladder: _walking, ...run } = aLaterRun(anIncident({ openedAt: opened }), { number: 2, episode: 2 });
    const held = { ...run, held: { until: iso(150), reason: 'database upgrade' } };
    expect(decide(120, { reopenedAt: iso(90), run: held })).toEqual({
      kind: 'none',
      reason: 'a maintenance window holds its page',
    });
  });

  it('says what the reminder counts from', () => {
    expect(decide(50, {}, { noteTimes: [iso(31)] })).toEqual({ kind: 'remind', dueAt: iso(46), lastUpdateAt: iso(31) });
  });
});

describe('who is reminded, and how', () => {
  const config = testConfig();
  const roster = { team: defaultTeam(config), covers: [] };
  it('reminds the assignee, else the acknowledger, else the primary now', () => {
    const now = at(20);
    expect(
      whoToRemind(config, roster, anIncident({ assignee: 'eng-manager', acknowledgedBy: 'secondary-oncall' }), now)?.id,
    ).toBe('eng-manager');
    expect(whoToRemind(config, roster, anIncident({ acknowledgedBy: 'secondary-oncall' }), now)?.id).toBe(
      'secondary-oncall',
    );
    // Acknowledged by something that is not a responder (an integration): the primary.
    expect(whoToRemind(config, roster, anIncident({ acknowledgedBy: 'alarm:events-v2' }), now)?.id).toBe(
      'primary-oncall',
    );
    expect(whoToRemind(config, roster, anIncident(), now)?.id).toBe('primary-oncall');
  });

  it('reminds the way the tier first pages: SMS and email for SEV1, email for SEV2', () => {
    expect(statusReminderChannels(DEFAULT_SEVERITY_POLICY.SEV1)).toEqual(['sms', 'email']);
    expect(statusReminderChannels(DEFAULT_SEVERITY_POLICY.SEV2)).toEqual(['email']);
  });
});

describe('post-mortem reminders', () => {
  const resolvedAt = '2026-11-20T12:00:00.000Z';
  const hoursAfter = (hours: number) => new Date(Date.parse(resolvedAt) + hours * 3_600_000).toISOString();

  it('plans SEV1 (48 h): a reminder at 24 h and one at the deadline', () => {
    const plan = planPostmortemReminders(DEFAULT_SEVERITY_POLICY.SEV1, anIncident({ status: 'resolved', resolvedAt }));
    expect(plan).toEqual({
      incidentId: anIncident().id,
      run: 1,
      resolvedAt,
      remindAt: hoursAfter(24),
      dueAt: hoursAfter(48),
      executionName: `${anIncident().id}-r1-postmortem`,
    });
  });

  it('plans SEV2 (7 days): a reminder a day before, and names a reopened episode apart', () => {
    // Reopened twice: run 3 opened the episode that resolved.
    const incident = anIncident({ severity: 'SEV2', status: 'resolved', resolvedAt });
    const reopened = { ...incident, run: aLaterRun(incident, { number: 3, episode: 3 }) };
    const plan = planPostmortemReminders(DEFAULT_SEVERITY_POLICY.SEV2, reopened);
    expect(plan).toMatchObject({ run: 3, remindAt: hoursAfter(6 * 24), dueAt: hoursAfter(7 * 24) });
    expect(plan?.executionName).toBe(`${anIncident().id}-r3-postmortem`);
  });

  it('plans only the resolution notice for an optional or absent post-mortem, and nothing before resolving', () => {
    const resolved = anIncident({ status: 'resolved', resolvedAt });
    for (const tier of [DEFAULT_SEVERITY_POLICY.SEV3, DEFAULT_SEVERITY_POLICY.SEV4]) {
      const plan = planPostmortemReminders(tier, resolved);
      expect(plan).toEqual({
        incidentId: resolved.id,
        run: 1,
        resolvedAt,
        executionName: `${resolved.id}-r1-postmortem`,
      });
    }
    expect(planPostmortemReminders(DEFAULT_SEVERITY_POLICY.SEV1, anIncident({ status: 'open' }))).toBeUndefined();
  });

  /** Reopened once: run 2 opened the second episode. */
  const reopened = { run: aLaterRun(anIncident(), { number: 2, episode: 2 }) };

  it.each([
    ['resolved, not done', { status: 'resolved' }, 1, 'remind'],
    ['done', { status: 'resolved', postmortemDoneAt: resolvedAt }, 1, 'stop'],
    ['reopened (open again)', { status: 'open', ...reopened }, 1, 'stop'],
    ['reopened and resolved again (a later episode owns it)', { status: 'resolved', ...reopened }, 1, 'stop'],
    ['the later episode itself', { status: 'resolved', ...reopened }, 2, 'remind'],
  ] as const)('%s: %s', (_, changes, episode, kind) => {
    expect(decidePostmortemReminder(anIncident(changes), episode).kind).toBe(kind);
  });
});

describe("a status-update look's schedule name", () => {
  const at = '2026-11-20T10:45:00.000Z';

  it('is one Scheduler accepts for every incident id, a drill id of 64 characters included, and names its incident and time apart', () => {
    const drill = `monthly-failover-drill-${'x'.repeat(41)}`;
    const names = [
      statusUpdateLookName('01JD6Z3ZQ7W9Y2V8K4T5R6N3M1', at),
      statusUpdateLookName(drill, at),
      statusUpdateLookName(`${drill.slice(0, -1)}y`, at),
      statusUpdateLookName(drill, '2026-11-20T11:15:00.000Z'),
    ];
    for (const name of names) expect(name).toMatch(SCHEDULE_NAME);
    expect(new Set(names).size).toBe(names.length);
  });
});
