/**
 * Rotations, layers and overrides (the config's and those made at run time): who is on call in a
 * team at an instant, handoffs in local time across DST, the shifts of the next days, and teams.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, parseConfig, ROLES, type TeamConfig } from '../../lambdas/core/config.js';
import { teamForService, tierOf } from '../../lambdas/core/config-lookups.js';
import { onCallFor, onCallShifts, rotationShift, type TeamCover, whoIsOnCall } from '../../lambdas/core/rotations.js';

const base = JSON.parse(readFileSync('klaxon.config.json', 'utf8')) as { teams: Record<string, unknown>[] };
const baseTeam = base.teams[0] ?? {};
/** The default team with these schedules (a one-team config, as klaxon.config.json). */
const withSchedules = (schedules: Record<string, unknown>): TeamConfig => {
  const team = parseConfig({ ...base, teams: [{ ...baseTeam, ...schedules }] }).teams[0];
  if (!team) throw new Error('no team');
  return team;
};

const berlinWeekly = {
  id: 'platform',
  every: 'week',
  handoffDay: 'monday',
  handoffTime: '09:00',
  timeZone: 'Europe/Berlin',
  start: '2026-10-19',
  members: ['primary-oncall', 'secondary-oncall', 'eng-manager'],
};
const config = withSchedules({
  rotations: [berlinWeekly],
  onCall: { primary: { rotation: 'platform' }, secondary: { rotation: 'platform', shift: 1 } },
  overrides: [
    { role: 'primary', responder: 'executive', from: '2026-11-03T12:00:00Z', to: '2026-11-03T18:00:00+00:00' },
  ],
});
const rotation = config.rotations[0] ?? (undefined as never);

/** An override made at run time for the default team. */
const cover = (id: string, changes: Partial<TeamCover>): TeamCover => ({
  id,
  team: 'ops',
  role: 'primary',
  responder: 'eng-manager',
  from: '2026-11-03T20:00:00.000Z',
  to: '2026-11-04T06:00:00.000Z',
  createdAt: '2026-11-03T10:00:00.000Z',
  ...changes,
});

describe('a weekly rotation, Monday 09:00 Europe/Berlin', () => {
  it.each([
    ['2026-10-19T06:59:00Z', 'primary-oncall', undefined, '2026-10-19T07:00:00.000Z'], // before the first handoff
    ['2026-10-19T07:00:00Z', 'primary-oncall', '2026-10-19T07:00:00.000Z', '2026-10-26T08:00:00.000Z'], // 09:00 CEST
    ['2026-10-26T07:59:00Z', 'primary-oncall', '2026-10-19T07:00:00.000Z', '2026-10-26T08:00:00.000Z'], // 08:59 CET
    ['2026-10-26T08:00:00Z', 'secondary-oncall', '2026-10-26T08:00:00.000Z', '2026-11-02T08:00:00.000Z'], // 09:00 CET
    ['2026-11-02T08:00:00Z', 'eng-manager', '2026-11-02T08:00:00.000Z', '2026-11-09T08:00:00.000Z'],
    ['2026-11-12T15:00:00Z', 'primary-oncall', '2026-11-09T08:00:00.000Z', '2026-11-16T08:00:00.000Z'], // wraps around
  ])('at %s is %s (shift from %s until %s)', (at, responder, from, until) => {
    expect(rotationShift(rotation, new Date(at))).toEqual({ responder, from, until });
  });

  it('layers the secondary as the member after the primary', () => {
    expect(onCallFor(config, 'primary', new Date('2026-10-26T09:00:00Z'))).toBe('secondary-oncall');
    expect(onCallFor(config, 'secondary', new Date('2026-10-26T09:00:00Z'))).toBe('eng-manager');
  });

  it('lets an override cover its time range, and only that', () => {
    expect(onCallFor(config, 'primary', new Date('2026-11-03T12:00:00Z'))).toBe('executive');
    expect(onCallFor(config, 'primary', new Date('2026-11-03T18:00:00Z'))).toBe('eng-manager');
    expect(onCallFor(config, 'secondary', new Date('2026-11-03T13:00:00Z'))).toBe('primary-oncall');
  });

  it('says who is on call now, until when, and who is next', () => {
    expect(whoIsOnCall(config, ['primary', 'engineering-manager'], new Date('2026-10-30T10:00:00Z'))).toEqual([
      { team: 'ops', role: 'primary', now: 'secondary-oncall', until: '2026-11-02T08:00:00.000Z', next: 'eng-manager' },
      { team: 'ops', role: 'engineering-manager', now: 'eng-manager' },
    ]);
  });
});

describe('a daily rotation, 18:30 America/New_York', () => {
  const daily = withSchedules({
    rotations: [
      {
        id: 'nights',
        every: 'day',
        handoffTime: '18:30',
        timeZone: 'America/New_York',
        start: '2026-10-31',
        members: ['primary-oncall', 'secondary-oncall'],
      },
    ],
    onCall: { primary: { rotation: 'nights' } },
  });
  it.each([
    ['2026-10-31T22:30:00Z', 'primary-oncall'], // 18:30 EDT
    ['2026-11-01T23:29:00Z', 'primary-oncall'], // 18:29 EST, the day DST ended
    ['2026-11-01T23:30:00Z', 'secondary-oncall'], // 18:30 EST
    ['2026-11-02T23:30:00Z', 'primary-oncall'],
  ])('at %s pages %s', (at, responder) => {
    expect(onCallFor(daily, 'primary', new Date(at))).toBe(responder);
  });
});

describe('schedules in the config', () => {
  it('keeps the plain roles mapping when there are no rotations', () => {
    const plain = withSchedules({});
    expect(ROLES.map((role) => onCallFor(plain, role, new Date()))).toEqual([
      'primary-oncall',
      'secondary-oncall',
      'eng-manager',
      'executive',
    ]);
  });

  it.each([
    [
      { rotations: [{ ...berlinWeekly, members: ['nobody'] }] },
      'rotations[0].members[0]: "nobody" is not a responder id',
    ],
    [
      { rotations: [{ ...berlinWeekly, timeZone: 'Mars/Olympus' }] },
      'rotations[0].timeZone: must be an IANA time zone',
    ],
    [{ rotations: [{ ...berlinWeekly, handoffDay: undefined }] }, 'rotations[0].handoffDay: a weekly rotation needs'],
    [
      { rotations: [{ ...berlinWeekly, handoffTime: '9am' }] },
      'rotations[0].handoffTime: must be a 24-hour local time',
    ],
    [{ onCall: { primary: { rotation: 'missing' } } }, 'onCall.primary.rotation: "missing" is not a rotation id'],
  ])('refuses %j naming the field', (schedules, message) => {
    message = `teams[0].${message}`;
    expect(() => withSchedules(schedules)).toThrow(ConfigError);
    expect(() => withSchedules(schedules)).toThrow(message);
  });
});

describe('overrides made at run time', () => {
  // At 2026-11-03 the weekly rotation has eng-manager as primary, with the config's override
  // putting executive on from 12:00 to 18:00.
  const tonight = cover('a', { responder: 'secondary-oncall' });

  it.each([
    ['2026-11-03T19:59:59Z', 'eng-manager'], // the rotation's person, before the cover
    ['2026-11-03T20:00:00Z', 'secondary-oncall'], // the cover starts
    ['2026-11-04T05:59:59Z', 'secondary-oncall'],
    ['2026-11-04T06:00:00Z', 'eng-manager'], // and ends
  ])('at %s pages %s', (at, responder) => {
    expect(onCallFor(config, 'primary', new Date(at), [tonight])).toBe(responder);
  });

  it("comes before the config's override, and the latest made before an earlier one", () => {
    const overConfig = cover('b', { responder: 'secondary-oncall', from: '2026-11-03T13:00:00Z' });
    expect(onCallFor(config, 'primary', new Date('2026-11-03T14:00:00Z'), [overConfig])).toBe('secondary-oncall');
    const later = cover('c', { responder: 'primary-oncall', createdAt: '2026-11-03T11:00:00.000Z' });
    expect(onCallFor(config, 'primary', new Date('2026-11-03T21:00:00Z'), [tonight, later])).toBe('primary-oncall');
  });

  it("leaves other roles and other teams' roles alone", () => {
    expect(onCallFor(config, 'secondary', new Date('2026-11-03T21:00:00Z'), [tonight])).toBe('primary-oncall');
    const elsewhere = cover('d', { team: 'payments', responder: 'executive' });
    expect(onCallFor(config, 'primary', new Date('2026-11-03T21:00:00Z'), [elsewhere])).toBe('eng-manager');
  });

  it('says who is on call now under a cover, until when, who is next, and which override it is', () => {
    expect(whoIsOnCall(config, ['primary'], new Date('2026-11-03T21:00:00Z'), [tonight])).toEqual([
      {
        team: 'ops',
        role: 'primary',
        now: 'secondary-oncall',
        until: '2026-11-04T06:00:00.000Z',
        next: 'eng-manager',
        override: 'a',
      },
    ]);
  });

  it("lists a role's shifts over a window, the covers cut in", () => {
    expect(
      onCallShifts(config, 'primary', new Date('2026-11-03T10:00:00Z'), new Date('2026-11-10T10:00:00Z'), [tonight]),
    ).toEqual([
      { responder: 'eng-manager', from: '2026-11-03T10:00:00.000Z', to: '2026-11-03T12:00:00.000Z' },
      { responder: 'executive', from: '2026-11-03T12:00:00.000Z', to: '2026-11-03T18:00:00.000Z' },
      { responder: 'eng-manager', from: '2026-11-03T18:00:00.000Z', to: '2026-11-03T20:00:00.000Z' },
      { responder: 'secondary-oncall', from: '2026-11-03T20:00:00.000Z', to: '2026-11-04T06:00:00.000Z' },
      { responder: 'eng-manager', from: '2026-11-04T06:00:00.000Z', to: '2026-11-09T08:00:00.000Z' },
      { responder: 'primary-oncall', from: '2026-11-09T08:00:00.000Z', to: '2026-11-10T10:00:00.000Z' },
    ]);
  });

  it('merges a cover by the person already on call into their shift', () => {
    const same = cover('e', { responder: 'eng-manager' });
    expect(
      onCallShifts(config, 'primary', new Date('2026-11-03T18:00:00Z'), new Date('2026-11-04T10:00:00Z'), [same]),
    ).toEqual([{ responder: 'eng-manager', from: '2026-11-03T18:00:00.000Z', to: '2026-11-04T10:00:00.000Z' }]);
  });
});

describe('teams', () => {
  const roles = (primary: string, secondary: string) => ({
    primary,
    secondary,
    'engineering-manager': 'eng-manager',
    executive: 'executive',
  });
  const twoTeams = parseConfig({
    ...base,
    teams: [
      { id: 'platform', roles: roles('primary-oncall', 'secondary-oncall') },
      { id: 'payments', services: ['checkout', 'billing'], roles: roles('executive', 'eng-manager') },
    ],
  });

  it('gives a service to the team that lists it, and every other service to the first team', () => {
    expect(teamForService(twoTeams, 'checkout').id).toBe('payments');
    expect(teamForService(twoTeams, 'billing').id).toBe('payments');
    expect(teamForService(twoTeams, 'default').id).toBe('platform');
    expect(teamForService(twoTeams, 'anything-else').id).toBe('platform');
  });

  it("resolves each team's roles from its own people", () => {
    const [platform, payments] = twoTeams.teams as [TeamConfig, TeamConfig];
    expect(onCallFor(platform, 'primary', new Date())).toBe('primary-oncall');
    expect(onCallFor(payments, 'primary', new Date())).toBe('executive');
    expect(onCallFor(payments, 'secondary', new Date())).toBe('eng-manager');
  });

  it.each([
    [{ teams: [] }, 'teams: must list at least one team'],
    [
      { teams: [{ id: 'a', roles: roles('primary-oncall', 'x') }] },
      'teams[0].roles.secondary: "x" is not a responder id',
    ],
    [
      {
        teams: [
          { id: 'a', services: ['db'], roles: roles('primary-oncall', 'executive') },
          { id: 'b', services: ['db'], roles: roles('primary-oncall', 'executive') },
        ],
      },
      'teams[1].services[0]: "db" already belongs to team "a"',
    ],
    [
      {
        teams: [
          { id: 'a', roles: roles('primary-oncall', 'executive') },
          { id: 'a', roles: roles('primary-oncall', 'executive') },
        ],
      },
      'teams[1].id: "a" is listed twice',
    ],
    [{ roles: roles('primary-oncall', 'executive') }, 'Unrecognized key'],
  ])('refuses %j naming the field', (change, message) => {
    expect(() => parseConfig({ ...base, ...change })).toThrow(message);
  });

  it("runs a team's own tier where it has one, the top level's elsewhere", () => {
    const config = parseConfig({
      ...base,
      teams: [
        { id: 'platform', roles: roles('primary-oncall', 'secondary-oncall') },
        {
          id: 'payments',
          services: ['checkout'],
          roles: roles('executive', 'eng-manager'),
          severityPolicy: {
            SEV3: {
              description: 'Payments treat a SEV3 as urgent',
              aliases: ['warning', 'minor', 'P2', 'sev3'],
              ackTarget: '15m',
              ladder: [{ after: '0', notify: ['primary'], channels: ['sms', 'email'] }],
              statusUpdateEvery: null,
              postmortemDue: 'optional',
            },
          },
        },
      ],
    });
    expect(tierOf(config, { team: 'payments', severity: 'SEV3' }).ackTarget).toBe('15m');
    expect(tierOf(config, { team: 'platform', severity: 'SEV3' }).ackTarget).toBe('1h');
    expect(tierOf(config, { team: 'payments', severity: 'SEV1' })).toEqual(config.severityPolicy.SEV1);
  });
});
