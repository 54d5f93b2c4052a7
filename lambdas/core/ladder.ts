/**
 * Plans an incident's escalation ladder: every step of the tier's policy with an absolute due
 * time. The state machine waits on these timestamps (TimestampPath), so a retried or restarted
 * execution never drifts from the plan.
 *
 * A plan changes only by a re-plan (escalate now, a severity change, a reassignment, a reopen):
 * the running execution is stopped and a new one walks the new plan. The pure functions here
 * compute those new plans; lambdas/core/replan.ts applies them.
 */
import type { Channel, Role, StepCondition, TierPolicy } from './config.js';
import { parseDurationSeconds } from './duration.js';

export interface EscalationStep {
  index: number;
  /** ISO-8601 UTC: when this step is due. */
  dueAt: string;
  /** Seconds after the ladder started, for messages and reports. */
  afterSeconds: number;
  notify: Role[];
  channels: Channel[];
  unless: StepCondition;
  /** The run whose execution walks it (runs.ts): its pages are keyed by it. */
  run: number;
  /** 1, 2, …: this step belongs to a repeat of the ladder (the tier's `repeat`). */
  loop?: number;
  /** People paged by id besides the roles (the new assignee of a reassigned incident). */
  responders?: string[];
  /** Why this step pages now rather than when the policy said: `escalated`, `severity-raised`, `reassigned`. */
  reason?: 'escalated' | 'severity-raised' | 'reassigned';
}

/** What a state machine execution is started with. */
export interface EscalationInput {
  incidentId: string;
  severity: string;
  /** When the ladder started (due times count from it; the local runtime's time scale compresses from it). */
  openedAt: string;
  steps: EscalationStep[];
  /** The run's execution name (runExecutionName in runs.ts). */
  executionName: string;
}

/** Which execution a run is: the state machine of its severity, and its name. */
export type EscalationIdentity = Pick<EscalationInput, 'incidentId' | 'severity' | 'executionName'>;

/**
 * The tier's steps from `openedAt`, then `repeat` more loops when the tier asks for them: each
 * loop starts `repeatAfter` after the previous loop's last step, keeps the spacing of the steps,
 * and every repeated step is "unless acknowledged" (a loop pages again only while nobody has).
 */
export function planLadder(policy: TierPolicy, openedAt: string, run: number): EscalationStep[] {
  const start = Date.parse(openedAt);
  if (Number.isNaN(start)) throw new Error(`Cannot plan a ladder from an unreadable open time: ${openedAt}`);
  const offsets = policy.ladder.map((step) => parseDurationSeconds(step.after) ?? 0);
  const loopLength = Math.max(0, ...offsets) + (parseDurationSeconds(policy.repeatAfter ?? '0') ?? 0);
  const steps: EscalationStep[] = [];
  for (let loop = 0; loop <= (policy.repeat ?? 0); loop++) {
    policy.ladder.forEach((step, i) => {
      const afterSeconds = loop * loopLength + (offsets[i] ?? 0);
      steps.push({
        index: steps.length,
        dueAt: new Date(start + afterSeconds * 1000).toISOString(),
        afterSeconds,
        notify: [...step.notify],
        channels: [...step.channels],
        unless: loop === 0 ? step.unless : 'acknowledged',
        run,
        ...(loop > 0 ? { loop } : {}),
      });
    });
  }
  return steps;
}

const dueMs = (step: EscalationStep) => Date.parse(step.dueAt);

/** Steps not yet due at `now` (on the ladder's clock): what is still ahead. */
export function stepsAhead(steps: EscalationStep[], now: Date): EscalationStep[] {
  return steps.filter((step) => dueMs(step) > now.getTime());
}

/**
 * A ladder started again mid-walk (the local runtime restarted with `--data`: its executions
 * were in memory): the steps not yet due, preceded by the latest step already due when nobody
 * was paged for it (`latestDueTaken` false: it fell due while the runtime was down; see
 * owedStep, which re-plans use too: the step their stopped execution had not paged yet). Earlier
 * steps are not replayed: they were taken, or were passed while it was down, and replaying them
 * would page, at once, whoever fills their roles now (a new on-call person once per past step,
 * a person already reached by a fallback again).
 */
export function planResume(steps: EscalationStep[], now: Date, latestDueTaken: boolean): EscalationStep[] {
  const latestDue = latestDueStep(steps, now);
  const ahead = stepsAhead(steps, now);
  return latestDue && !latestDueTaken ? [latestDue, ...ahead] : ahead;
}

/** The last step due at `now` (on the ladder's clock): where the ladder stands. */
export function latestDueStep(steps: EscalationStep[], now: Date): EscalationStep | undefined {
  return steps.filter((step) => dueMs(step) <= now.getTime()).at(-1);
}

/**
 * Escalate now (PagerDuty's "Escalate"): the next step not yet due is due now and pages even if
 * someone acknowledged (a person asked for the next level: an "unless acknowledged" condition
 * would swallow the request); only resolving stops it. Later steps keep their spacing and their
 * own conditions. Undefined when no step is left.
 *
 * `owed` (see owedStep) is a step already due that nobody was paged for yet: it is the next
 * level, so it is the one that pages now, and nothing ahead moves (it was due already).
 */
export function planEscalateNow(
  steps: EscalationStep[],
  now: Date,
  owed?: EscalationStep,
): EscalationStep[] | undefined {
  const ahead = stepsAhead(steps, now);
  if (owed) return [{ ...owed, unless: 'resolved', reason: 'escalated' }, ...ahead];
  const [next] = ahead;
  if (!next) return undefined;
  const shift = now.getTime() - dueMs(next);
  return ahead.map((step, i) => ({
    ...step,
    dueAt: new Date(dueMs(step) + shift).toISOString(),
    afterSeconds: Math.max(0, step.afterSeconds + Math.round(shift / 1000)),
    ...(i === 0 ? { unless: 'resolved' as const, reason: 'escalated' as const } : {}),
  }));
}

/**
 * A severity change re-plans with the new tier's ladder from the same start. Steps still ahead
 * keep the new tier's due times. Steps the new tier would already have taken:
 *  - raised (SEV3 → SEV1): one step, due now, pages everyone those steps would have paged by now
 *    (roles and channels merged), once, not each step separately. Steps an acknowledgement has
 *    made moot ("unless acknowledged" on an acknowledged incident) are left out.
 *  - lowered or equal: dropped. A downgrade never re-pages for what already happened.
 * `owed` (see owedStep), the old ladder's step that fell due but was not paged yet, has not
 * happened: lowered, it stays first, as it was; raised, its people join the catch-up.
 */
export function planSeverityChange(
  newPolicy: TierPolicy,
  ladderStart: string,
  now: Date,
  options: { raised: boolean; acknowledged: boolean; owed?: EscalationStep; run: number },
): EscalationStep[] {
  const steps = planLadder(newPolicy, ladderStart, options.run);
  const ahead = stepsAhead(steps, now);
  if (!options.raised) return options.owed ? [options.owed, ...ahead] : ahead;
  const due = steps
    .filter((step) => dueMs(step) <= now.getTime())
    .filter((step) => !(options.acknowledged && step.unless === 'acknowledged'));
  const last = due.at(-1) ?? options.owed;
  if (!last) return ahead;
  const missed = options.owed ? [...due, options.owed] : due;
  const responders = [...new Set(missed.flatMap((step) => step.responders ?? []))];
  const catchUp: EscalationStep = {
    index: last.index,
    dueAt: now.toISOString(),
    afterSeconds: Math.max(0, Math.round((now.getTime() - Date.parse(ladderStart)) / 1000)),
    notify: [...new Set(missed.flatMap((step) => step.notify))],
    ...(responders.length ? { responders } : {}),
    channels: [...new Set(missed.flatMap((step) => step.channels))],
    unless: missed.some((step) => step.unless === 'resolved') ? 'resolved' : 'acknowledged',
    run: options.run,
    reason: 'severity-raised',
  };
  return [catchUp, ...ahead];
}

/**
 * A reassignment: the new assignee is paged now, then the ladder goes on as planned, from the
 * step that fell due but was not paged yet (`owed`, see owedStep) if there is one.
 */
export function planReassign(
  steps: EscalationStep[],
  now: Date,
  assignee: string,
  run: number,
  owed?: EscalationStep,
): EscalationStep[] {
  const page: EscalationStep = {
    // Step 0 never counts as an escalation, and a re-planned ladder never holds step 0 (it is always due).
    index: 0,
    dueAt: now.toISOString(),
    afterSeconds: 0,
    notify: [],
    responders: [assignee],
    channels: ['sms', 'email'],
    unless: 'resolved',
    run,
    reason: 'reassigned',
  };
  return [...(owed ? [owed] : []), page, ...stepsAhead(steps, now)];
}
