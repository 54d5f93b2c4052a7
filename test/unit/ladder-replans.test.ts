import { ConfigError, DEFAULT_SEVERITY_POLICY, parseConfig, type TierPolicy } from '../../lambdas/core/config.js';
import {
  planEscalateNow,
  planLadder,
  planReassign,
  planSeverityChange,
  runExecutionName,
} from '../../lambdas/core/ladder.js';
import { testConfig } from '../support/local.js';

const openedAt = '2026-11-20T10:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(openedAt) + minutes * 60_000);
const iso = (minutes: number) => at(minutes).toISOString();

const repeating: TierPolicy = {
  ...DEFAULT_SEVERITY_POLICY.SEV3,
  ladder: [
    { after: '0', notify: ['primary'], channels: ['email'], unless: 'resolved' },
    { after: '10m', notify: ['secondary'], channels: ['sms'], unless: 'resolved' },
  ],
  repeat: 2,
  repeatAfter: '5m',
};

describe('repeating a ladder (num_loops)', () => {
  it('runs the steps again after the gap, keeping their spacing, each repeat "unless acknowledged"', () => {
    const steps = planLadder(repeating, openedAt);
    expect(steps.map((step) => [step.index, step.dueAt, step.notify[0], step.unless, step.loop])).toEqual([
      [0, iso(0), 'primary', 'resolved', undefined],
      [1, iso(10), 'secondary', 'resolved', undefined],
      [2, iso(15), 'primary', 'acknowledged', 1],
      [3, iso(25), 'secondary', 'acknowledged', 1],
      [4, iso(30), 'primary', 'acknowledged', 2],
      [5, iso(40), 'secondary', 'acknowledged', 2],
    ]);
  });

  it('leaves the default policy as it was: no tier repeats', () => {
    for (const policy of Object.values(DEFAULT_SEVERITY_POLICY)) {
      expect(planLadder(policy, openedAt)).toHaveLength(policy.ladder.length);
    }
  });

  it.each([
    [{ repeat: 1 }, 'severityPolicy.SEV3.repeatAfter: a tier that repeats its ladder needs "repeatAfter"'],
    [{ repeatAfter: '5m' }, '"repeatAfter" has no effect without "repeat"'],
    [{ repeat: 1, repeatAfter: '0' }, '"repeatAfter" must be longer than 0'],
    [{ repeat: 11, repeatAfter: '5m' }, 'severityPolicy.SEV3.repeat: must be at most 10'],
    [{ repeat: 1.5, repeatAfter: '5m' }, 'must be a whole number of extra loops'],
  ])('refuses %j with a clear message', (extra, message) => {
    const config = { ...testConfig(), severityPolicy: { SEV3: { ...DEFAULT_SEVERITY_POLICY.SEV3, ...extra } } };
    expect(() => parseConfig(config)).toThrow(ConfigError);
    expect(() => parseConfig(config)).toThrow(message);
  });
});

describe('escalate now', () => {
  const sev1 = planLadder(DEFAULT_SEVERITY_POLICY.SEV1, openedAt);

  it('makes the next step due now, paging even if acknowledged, and shifts the later steps with it', () => {
    const steps = planEscalateNow(sev1, at(2)) ?? [];
    expect(steps.map((step) => [step.index, step.dueAt, step.unless, step.reason])).toEqual([
      [1, iso(2), 'resolved', 'escalated'],
      [2, iso(27), 'resolved', undefined],
      [3, iso(57), 'resolved', undefined],
      [4, iso(117), 'resolved', undefined],
    ]);
  });

  it('twice in a row goes one step further each time', () => {
    const once = planEscalateNow(sev1, at(2)) ?? [];
    const twice = planEscalateNow(once, new Date(at(2).getTime() + 1000)) ?? [];
    expect(twice[0]).toMatchObject({ index: 2, reason: 'escalated' });
  });

  it('has nothing to offer once every step is behind', () => {
    expect(planEscalateNow(sev1, at(180))).toBeUndefined();
  });
});

describe('a severity change re-plans from the same start', () => {
  it('raised at minute 40, pages what the new tier would have paged by now in one step, now', () => {
    const steps = planSeverityChange(DEFAULT_SEVERITY_POLICY.SEV1, openedAt, at(40), {
      raised: true,
      acknowledged: false,
    });
    expect(steps.map((step) => [step.index, step.dueAt, step.notify, step.channels, step.unless, step.reason])).toEqual(
      [
        [2, iso(40), ['primary', 'secondary'], ['sms', 'email'], 'resolved', 'severity-raised'],
        [3, iso(60), ['engineering-manager'], ['sms', 'email'], 'resolved', undefined],
        [4, iso(120), ['executive'], ['sms', 'email'], 'resolved', undefined],
      ],
    );
  });

  it('raised on an acknowledged incident, leaves out what an acknowledgement made moot', () => {
    const steps = planSeverityChange(DEFAULT_SEVERITY_POLICY.SEV2, openedAt, at(20), {
      raised: true,
      acknowledged: true,
    });
    // SEV2 by minute 20: 0 → primary email (unless resolved), 15m → primary SMS (unless acknowledged: moot).
    expect(steps[0]).toMatchObject({ index: 0, notify: ['primary'], channels: ['email'], unless: 'resolved' });
  });

  it('lowered, drops every step already behind: nobody is paged again', () => {
    const steps = planSeverityChange(DEFAULT_SEVERITY_POLICY.SEV3, openedAt, at(20), {
      raised: false,
      acknowledged: false,
    });
    expect(steps.map((step) => [step.index, step.dueAt])).toEqual([[1, iso(60)]]);
  });
});

describe('runs', () => {
  it('names run 0 after the incident and later runs <id>-r<n>', () => {
    expect([0, 1, 2].map((run) => runExecutionName('01ABC', run))).toEqual(['01ABC', '01ABC-r1', '01ABC-r2']);
  });

  it('a reassignment pages the assignee now, then keeps what is ahead', () => {
    const steps = planReassign(planLadder(DEFAULT_SEVERITY_POLICY.SEV3, openedAt), at(5), 'eng-manager');
    expect(steps.map((step) => [step.index, step.dueAt, step.notify, step.responders, step.reason])).toEqual([
      [0, iso(5), [], ['eng-manager'], 'reassigned'],
      [1, iso(60), ['primary'], undefined, undefined],
    ]);
  });
});
