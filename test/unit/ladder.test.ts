import { DEFAULT_SEVERITY_POLICY } from '../../lambdas/core/config.js';
import { formatDuration, parseDurationSeconds } from '../../lambdas/core/duration.js';
import { planLadder } from '../../lambdas/core/ladder.js';

describe('ladder planning', () => {
  const openedAt = '2026-11-20T10:15:00.000Z';

  it('gives every SEV1 step an absolute due time from the open time', () => {
    const steps = planLadder(DEFAULT_SEVERITY_POLICY.SEV1, openedAt, 1);
    expect(steps.map((step) => [step.dueAt, step.notify.join('+'), step.channels.join('+'), step.unless])).toEqual([
      ['2026-11-20T10:15:00.000Z', 'primary', 'sms+email', 'resolved'],
      ['2026-11-20T10:20:00.000Z', 'primary+secondary', 'sms+email', 'acknowledged'],
      ['2026-11-20T10:45:00.000Z', 'secondary', 'sms+email', 'resolved'],
      ['2026-11-20T11:15:00.000Z', 'engineering-manager', 'sms+email', 'resolved'],
      ['2026-11-20T12:15:00.000Z', 'executive', 'sms+email', 'resolved'],
    ]);
    expect(steps.map((step) => step.index)).toEqual([0, 1, 2, 3, 4]);
  });

  it("puts every step in the run it is planned for: its pages are keyed by that run's number", () => {
    expect(planLadder(DEFAULT_SEVERITY_POLICY.SEV1, openedAt, 3).map((step) => step.run)).toEqual([3, 3, 3, 3, 3]);
  });

  it('pages SEV2 by email first and by SMS only if nobody acknowledged in 15 minutes', () => {
    const [first, second] = planLadder(DEFAULT_SEVERITY_POLICY.SEV2, openedAt, 1);
    expect(first).toMatchObject({ afterSeconds: 0, channels: ['email'] });
    expect(second).toMatchObject({ afterSeconds: 900, channels: ['sms'], unless: 'acknowledged' });
  });

  it('rings the phones of a SEV2 acknowledged in time only while it stays unresolved: the secondary at 2 h, the manager at 4 h', () => {
    const ringsAfterAcknowledgement = planLadder(DEFAULT_SEVERITY_POLICY.SEV2, openedAt, 1)
      .filter((step) => step.channels.includes('sms') && step.unless === 'resolved')
      .map((step) => [step.afterSeconds, step.notify.join('+')]);
    expect(ringsAfterAcknowledgement).toEqual([
      [7200, 'secondary'],
      [14_400, 'engineering-manager'],
    ]);
  });

  it('refuses an unreadable open time', () => {
    expect(() => planLadder(DEFAULT_SEVERITY_POLICY.SEV4, 'yesterday', 1)).toThrow('unreadable open time');
  });

  it.each([
    ['0', 0],
    ['90s', 90],
    ['5m', 300],
    ['1h', 3600],
    ['7d', 604_800],
    ['5 minutes', undefined],
    ['-5m', undefined],
  ])('reads the duration %j as %s seconds', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });

  it.each([
    [42, '42s'],
    [300, '5m'],
    [5400, '1h 30m'],
    [90_000, '1d 1h'],
  ])('writes %i seconds as %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
