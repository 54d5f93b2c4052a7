/** Rotations, layers and overrides: who is on call at an instant, handoffs in local time across DST. */
import { readFileSync } from 'node:fs';
import { ConfigError, type KlaxonConfig, parseConfig, ROLES } from '../../lambdas/core/config.js';
import { onCallFor, rotationShift, whoIsOnCall } from '../../lambdas/core/rotations.js';

const base = JSON.parse(readFileSync('klaxon.config.json', 'utf8')) as Record<string, unknown>;
const withSchedules = (schedules: Record<string, unknown>): KlaxonConfig => parseConfig({ ...base, ...schedules });

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
      { role: 'primary', now: 'secondary-oncall', until: '2026-11-02T08:00:00.000Z', next: 'eng-manager' },
      { role: 'engineering-manager', now: 'eng-manager' },
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
    const plain = parseConfig(base);
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
    expect(() => withSchedules(schedules)).toThrow(ConfigError);
    expect(() => withSchedules(schedules)).toThrow(message);
  });
});
