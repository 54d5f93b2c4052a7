import { dynamoIncidentStore } from '../../lambdas/adapters/dynamo-incident-store.js';
import { dynamoIntakeRecords } from '../../lambdas/adapters/dynamo-intake-records.js';
import { dynamoOverrides } from '../../lambdas/adapters/dynamo-overrides.js';
import { ulidGenerator } from '../../lambdas/adapters/system.js';
import type { Alert } from '../../lambdas/core/alert.js';
import { ConfigError, DEFAULT_SEVERITY_POLICY, parseConfig, type TierPolicy } from '../../lambdas/core/config.js';
import { changeSeverity, reassignIncident } from '../../lambdas/core/incident-updates.js';
import { type IntakeDeps, receiveAlert } from '../../lambdas/core/intake.js';
import {
  type EscalationInput,
  planEscalateNow,
  planLadder,
  planReassign,
  planResume,
  planSeverityChange,
} from '../../lambdas/core/ladder.js';
import { escalateNow } from '../../lambdas/core/replan.js';
import { acknowledgeIncident, resolveIncident } from '../../lambdas/core/responder-actions.js';
import { runExecutionName } from '../../lambdas/core/runs.js';
import { type LocalDynamoDb, startLocalDynamoDb } from '../../local/local-dynamodb.js';
import { resumeEscalations } from '../../local/resume-escalations.js';
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
    const steps = planLadder(repeating, openedAt, 1);
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
      expect(planLadder(policy, openedAt, 1)).toHaveLength(policy.ladder.length);
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
  const sev1 = planLadder(DEFAULT_SEVERITY_POLICY.SEV1, openedAt, 1);

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
      run: 2,
    });
    expect(
      steps.map((step) => [step.index, step.dueAt, step.notify, step.channels, step.unless, step.reason, step.run]),
    ).toEqual([
      [2, iso(40), ['primary', 'secondary'], ['sms', 'email'], 'resolved', 'severity-raised', 2],
      [3, iso(60), ['engineering-manager'], ['sms', 'email'], 'resolved', undefined, 2],
      [4, iso(120), ['executive'], ['sms', 'email'], 'resolved', undefined, 2],
    ]);
  });

  it('raised on an acknowledged incident, leaves out what an acknowledgement made moot', () => {
    const steps = planSeverityChange(DEFAULT_SEVERITY_POLICY.SEV2, openedAt, at(20), {
      raised: true,
      acknowledged: true,
      run: 2,
    });
    // SEV2 by minute 20: 0 → primary email (unless resolved), 15m → primary SMS (unless acknowledged: moot).
    expect(steps[0]).toMatchObject({ index: 0, notify: ['primary'], channels: ['email'], unless: 'resolved' });
  });

  it("raised, folds the old ladder's due step nobody was paged for yet into the catch-up", () => {
    // A reassignment's page (SEV3's step 0 ladder plus the assignee) fell due and was not paged yet.
    const [step0] = planLadder(DEFAULT_SEVERITY_POLICY.SEV3, openedAt, 1);
    if (!step0) throw new Error('SEV3 has a step 0');
    const owed = { ...step0, responders: ['eng-manager'] };
    const steps = planSeverityChange(DEFAULT_SEVERITY_POLICY.SEV1, openedAt, at(1), {
      raised: true,
      acknowledged: false,
      owed,
      run: 2,
    });
    expect(steps[0]).toMatchObject({ index: 0, notify: ['primary'], responders: ['eng-manager'], dueAt: iso(1) });
  });

  it('lowered, drops every step already behind: nobody is paged again', () => {
    const steps = planSeverityChange(DEFAULT_SEVERITY_POLICY.SEV3, openedAt, at(20), {
      raised: false,
      acknowledged: false,
      run: 2,
    });
    expect(steps.map((step) => [step.index, step.dueAt])).toEqual([[1, iso(60)]]);
  });
});

describe('runs', () => {
  it('names every run <id>-r<n>, the first included', () => {
    expect([1, 2].map((run) => runExecutionName('01ABC', run))).toEqual(['01ABC-r1', '01ABC-r2']);
  });

  it('a reassignment pages the assignee now, then keeps what is ahead', () => {
    const steps = planReassign(planLadder(DEFAULT_SEVERITY_POLICY.SEV3, openedAt, 1), at(5), 'eng-manager', 2);
    expect(steps.map((step) => [step.index, step.dueAt, step.notify, step.responders, step.reason])).toEqual([
      [0, iso(5), [], ['eng-manager'], 'reassigned'],
      [1, iso(60), ['primary'], undefined, undefined],
    ]);
  });
});

describe('where a ladder stands', () => {
  const sev1 = planLadder(DEFAULT_SEVERITY_POLICY.SEV1, openedAt, 1);

  it('after a restart, replays no step already taken: only the steps ahead are left', () => {
    expect(planResume(sev1, at(40), true).map((step) => step.index)).toEqual([3, 4]);
  });

  it('after a restart, takes once the latest step that fell due while it was down, and none before it', () => {
    const steps = planResume(sev1, at(70), false);
    expect(steps.map((step) => [step.index, step.dueAt])).toEqual([
      [3, iso(60)],
      [4, iso(120)],
    ]);
  });
});

/**
 * A ladder held for maintenance starts when the window ends, and a reopened one when the alarm
 * came back: re-plans and a `--data` restart go on from that start, not from `openedAt`.
 */
describe('re-planning a ladder that did not start when the incident opened', () => {
  const TABLE = 'ladder-start';
  const T0 = Date.parse('2026-11-20T02:00:00.000Z');
  const min = (m: number) => new Date(T0 + m * 60_000);
  let dynamo: LocalDynamoDb;
  let deps: IntakeDeps;
  let now = min(0);
  const started: EscalationInput[] = [];

  beforeAll(async () => {
    dynamo = await startLocalDynamoDb({ tableName: TABLE });
    deps = {
      config: testConfig(),
      store: dynamoIncidentStore(dynamo.client, TABLE),
      overrides: dynamoOverrides(dynamo.client, TABLE),
      records: dynamoIntakeRecords(dynamo.client, TABLE),
      escalation: {
        start: async (input) => {
          started.push(input);
          return {
            executionArn: `arn:aws:states:local:000000000000:execution:klaxon-escalation-${input.severity.toLowerCase()}:${input.executionName}`,
          };
        },
        stopRun: async () => undefined,
      },
      postmortems: { start: async () => ({ executionArn: 'x' }) },
      events: { publish: async () => undefined },
      clock: { now: () => now },
      ids: ulidGenerator(),
    };
  });
  afterAll(async () => {
    await dynamo.close();
  });

  const recordPage = (id: string, key: string) =>
    deps.store.appendTimeline(id, key, { at: now.toISOString(), type: 'paged', message: 'paged' });

  const alert = (dedupKey: string, deliveryId: string, severityText: string): Alert => ({
    source: 'events-v2',
    action: 'trigger',
    dedupKey,
    deliveryId,
    title: 'payments down',
    summary: 'payments down',
    severityText,
    service: 'payments',
    occurredAt: now.toISOString(),
    details: {},
    actor: 'test',
  });

  /** Opens an incident at 02:00 during a maintenance window until 05:00; the next alert, at 05:01, starts its ladder. */
  async function heldIncident(dedupKey: string, severityText: string) {
    now = min(0);
    await deps.records?.putMaintenance({
      service: 'payments',
      startsAt: min(-1).toISOString(),
      endsAt: min(180).toISOString(),
      by: 'ops',
    });
    const held = await receiveAlert(deps, alert(dedupKey, `${dedupKey}-1`, severityText));
    if (!('incident' in held)) throw new Error('no incident');
    expect(held.incident.run).not.toHaveProperty('ladder');
    now = min(181);
    started.length = 0;
    const after = await receiveAlert(deps, alert(dedupKey, `${dedupKey}-2`, severityText));
    if (!('incident' in after)) throw new Error('no incident');
    // Intake planned the ladder from the end of the hold: step 0 due now (minute 181).
    expect(started[0]?.steps[0]?.dueAt).toBe(min(181).toISOString());
    expect((await deps.store.getIncident(after.incident.id))?.run.ladder?.openedAt).toBe(min(181).toISOString());
    started.length = 0;
    return after.incident.id;
  }

  it('escalate now, a minute after a ladder held for maintenance started, pages its next step', async () => {
    const id = await heldIncident('held/escalate', 'critical');
    now = min(182);
    // Step 0 was paged when the ladder started (this stand-in port pages nobody).
    // Run 1 was held; run 2, the maintenance end's, walks the ladder.
    await recordPage(id, 'paged#r2#0#primary-oncall');
    const result = await escalateNow(deps, id, 'priya');
    // The running ladder (started at minute 181) has its 5m step (primary + secondary) next.
    expect(result.incident.run.ladder?.steps[0]).toMatchObject({ index: 1, notify: ['primary', 'secondary'] });
  });

  it('raising a held SEV3 to SEV1 a minute after its ladder started pages the primary, not the manager and executive at once', async () => {
    const id = await heldIncident('held/raise', 'warning');
    now = min(182);
    const result = await changeSeverity(deps, id, 'SEV1', 'priya');
    // By the held ladder's clock one minute has passed: SEV1 would have paged the primary only.
    expect(result.incident.run.ladder?.steps[0]?.notify).toEqual(['primary']);
  });

  it('a restart (--data) resumes a held ladder on the due times it started with', async () => {
    const id = await heldIncident('held/restart', 'critical');
    now = min(182);
    await resumeEscalations(deps);
    const resumed = started.find((input) => input.incidentId === id);
    // Intake's plan: step 1 (primary + secondary) due at minute 186, the executive at minute 301.
    expect(resumed?.steps.map((step) => step.dueAt)).toEqual(
      [181, 186, 211, 241, 301].map((m) => min(m).toISOString()),
    );
  });

  it('a restart (--data) resumes a reopened incident from its reopening, not from when it first opened', async () => {
    now = min(0);
    const cw = (deliveryId: string): Alert => ({
      ...alert('arn:aws:cloudwatch:us-east-1:1:alarm:orders-5xx', deliveryId, 'critical'),
      source: 'cloudwatch',
      service: 'orders',
    });
    const opened = await receiveAlert(deps, cw('cw-1'));
    if (!('incident' in opened)) throw new Error('no incident');
    const id = opened.incident.id;
    now = min(170);
    await resolveIncident(deps, id, 'priya', { refuseIfResolved: true });
    now = min(180);
    started.length = 0;
    const reopened = await receiveAlert(deps, cw('cw-2'));
    expect(reopened.outcome).toBe('reopened');
    // Intake planned run 2 from the reopening (minute 180).
    expect(started[0]?.steps.map((step) => step.dueAt)).toEqual(
      [180, 185, 210, 240, 300].map((m) => min(m).toISOString()),
    );
    now = min(181);
    started.length = 0;
    await resumeEscalations(deps);
    const resumed = started.find((input) => input.incidentId === id);
    // The restart is run 3, and goes on with run 2's due times.
    expect(resumed?.executionName).toBe(`${id}-r3`);
    // From openedAt (minute 0) every step of run 2 would be due: the executive paged at minute 181.
    expect(resumed?.steps.map((step) => step.dueAt)).toEqual(
      [180, 185, 210, 240, 300].map((m) => min(m).toISOString()),
    );
  });
  /**
   * A step falls due moments before a re-plan, and the running execution has not paged it yet
   * (Wait, Choice, GetItem, then the page task: seconds, more on a cold start). The re-plan stops
   * that execution, so the new plan must still hold the step, or nobody is paged for it.
   */
  describe('a step that fell due just before a re-plan and was not paged yet', () => {
    const justAfterStep1 = () => new Date(min(0).getTime() + 5 * 60_000 + 1000);

    /** A SEV1 opened at 02:00 whose step 0 was paged; now is 02:05:01, step 1 (5m) due, paged or not. */
    async function sev1(dedupKey: string, step1Paged: boolean) {
      now = min(0);
      // Not payments: its maintenance window (above) is in force at 02:00 and would hold this ladder.
      const opened = await receiveAlert(deps, { ...alert(dedupKey, `${dedupKey}-1`, 'critical'), service: 'checkout' });
      if (!('incident' in opened)) throw new Error('no incident');
      const id = opened.incident.id;
      expect(opened.incident.run.ladder?.openedAt).toBe(min(0).toISOString());
      await recordPage(id, 'paged#r1#0#primary-oncall');
      now = justAfterStep1();
      if (step1Paged) await recordPage(id, 'paged#r1#1#secondary-oncall');
      started.length = 0;
      return id;
    }

    const planned = (steps: EscalationInput['steps'] | undefined) =>
      (steps ?? []).map((step) => [step.index, step.notify.join('+') || step.responders?.join('+'), step.run]);

    it('reassigning keeps step 1, due now, in its own run (its pages keyed as the old execution would have)', async () => {
      const id = await sev1('owed/reassign', false);
      const result = await reassignIncident(deps, id, 'eng-manager', 'priya');
      const steps = (await deps.store.getIncident(id))?.run.ladder?.steps;
      expect(result.changed).toBe(true);
      expect(planned(steps)).toEqual([
        [1, 'primary+secondary', 1],
        [0, 'eng-manager', 2],
        [2, 'secondary', 2],
        [3, 'engineering-manager', 2],
        [4, 'executive', 2],
      ]);
      expect(Date.parse(steps?.[0]?.dueAt ?? '')).toBeLessThanOrEqual(now.getTime());
      expect(steps?.[0]?.unless).toBe('acknowledged');
    });

    it('reassigning does not repeat step 1 once its page is recorded', async () => {
      const id = await sev1('owed/reassign-paged', true);
      await reassignIncident(deps, id, 'eng-manager', 'priya');
      const steps = (await deps.store.getIncident(id))?.run.ladder?.steps;
      expect(planned(steps).map(([index]) => index)).toEqual([0, 2, 3, 4]);
    });

    it("lowering the severity keeps step 1, due now, before the new tier's steps ahead", async () => {
      const id = await sev1('owed/lower', false);
      await changeSeverity(deps, id, 'SEV2', 'priya');
      const steps = (await deps.store.getIncident(id))?.run.ladder?.steps;
      expect(planned(steps)).toEqual([
        [1, 'primary+secondary', 1],
        [1, 'primary', 2],
        [2, 'primary', 2],
        [3, 'secondary', 2],
        [4, 'engineering-manager', 2],
      ]);
      expect(Date.parse(steps?.[0]?.dueAt ?? '')).toBeLessThanOrEqual(now.getTime());
    });

    it('lowering the severity does not repeat step 1 once its page is recorded', async () => {
      const id = await sev1('owed/lower-paged', true);
      await changeSeverity(deps, id, 'SEV2', 'priya');
      const steps = (await deps.store.getIncident(id))?.run.ladder?.steps;
      expect(planned(steps).map(([index, , run]) => [index, run])).toEqual([
        [1, 2],
        [2, 2],
        [3, 2],
        [4, 2],
      ]);
    });

    it('lowering an acknowledged incident leaves out a due step the acknowledgement made moot', async () => {
      const id = await sev1('owed/lower-acked', false);
      await acknowledgeIncident(deps, id, 'priya');
      await changeSeverity(deps, id, 'SEV2', 'priya');
      const steps = (await deps.store.getIncident(id))?.run.ladder?.steps;
      expect(planned(steps).map(([index]) => index)).toEqual([1, 2, 3, 4]);
      expect(steps?.every((step) => step.run === 2)).toBe(true);
    });

    it('escalate now pages step 1 (the next level nobody was paged for), not step 2, and moves nothing later', async () => {
      const id = await sev1('owed/escalate', false);
      const result = await escalateNow(deps, id, 'priya');
      expect(
        result.incident.run.ladder?.steps.map((step) => [step.index, step.dueAt, step.unless, step.reason]),
      ).toEqual([
        [1, min(5).toISOString(), 'resolved', 'escalated'],
        [2, min(30).toISOString(), 'resolved', undefined],
        [3, min(60).toISOString(), 'resolved', undefined],
        [4, min(120).toISOString(), 'resolved', undefined],
      ]);
    });

    it("escalate now pages step 2 once step 1's page is recorded", async () => {
      const id = await sev1('owed/escalate-paged', true);
      const result = await escalateNow(deps, id, 'priya');
      expect(result.incident.run.ladder?.steps[0]).toMatchObject({
        index: 2,
        reason: 'escalated',
        dueAt: now.toISOString(),
      });
    });
  });
});
