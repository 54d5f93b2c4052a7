/**
 * Every change to a running ladder goes one way: decide the new plan, write it as the incident's
 * next run with a conditional write on the run it was decided on (of two racing re-plans one wins,
 * the other reads again), then start it (run-control.ts: the superseded execution is stopped, the
 * new one started under its own name). Escalate now, a severity change and a reassignment use it.
 *
 * Crash-safe: the plan is stored with the run, so whoever finds a run waiting for its start (a
 * retry of the request, the next alert, the run's first page, a restarted local runtime) starts
 * exactly that plan; the timeline entries are keyed by run so a retry writes each once.
 */

import { LOST_RACE, readDecideWrite } from './conditional-writes.js';
import type { Severity } from './config.js';
import { SEVERITIES } from './config-terms.js';
import { formatDuration } from './duration.js';
import type { Incident, TimelineEntry } from './incident.js';
import { type EscalationInput, type EscalationStep, planEscalateNow } from './ladder.js';
import { lifecycleEvent } from './lifecycle-events.js';
import { owedStep } from './paging.js';
import type { CoreDeps } from './ports.js';
import { IncidentNotFoundError, TransitionRefusedError } from './refusals.js';
import { startRun, tierLadder } from './run-control.js';
import { awaitsStart, nextRun, type ReplanCause, runExecutionName, runKey } from './runs.js';

export type ReplanDecision =
  | {
      kind: 'apply';
      steps: EscalationStep[];
      /** Other changes written with the run (the new severity, the assignee). */
      changes?: Partial<Incident>;
      /** An entry of the change itself (severity-changed, reassigned), beside the re-plan's own. */
      entry?: TimelineEntry;
      note?: string;
    }
  | { kind: 'unchanged'; reason: string }
  | { kind: 'refused'; reason: string };

export interface ReplanResult {
  incident: Incident;
  changed: boolean;
  reason?: string;
}

/** What a re-plan decides from: the ladder walking now, the ladder's "now", the owed step, the new run's number. */
export interface ReplanFacts {
  plan: EscalationInput;
  ladderNow: Date;
  owed?: EscalationStep;
  run: number;
}

/**
 * The ladder the incident's run walks, or, for a run a maintenance window holds, the tier's ladder
 * as it would start now (a person may escalate or re-plan a held incident).
 */
const walkingLadder = (deps: CoreDeps, incident: Incident, now: Date): EscalationInput =>
  incident.run.ladder ??
  tierLadder(deps.config, incident.id, incident.team, incident.severity, now.toISOString(), incident.run.number);

/**
 * Reads, decides with the current plan and the ladder's "now", writes the new run conditionally
 * (only while unresolved, and only on the run decided on), then starts it. `decide` refuses a
 * resolved incident with its own words, and sees the ladder's time (the local runtime's time
 * scale applied).
 */
export async function replanLadder(
  deps: CoreDeps,
  incidentId: string,
  cause: ReplanCause,
  by: string,
  decide: (incident: Incident, facts: ReplanFacts) => ReplanDecision,
): Promise<ReplanResult> {
  return readDecideWrite(`Incident ${incidentId}`, async () => {
    let incident = await deps.store.getIncident(incidentId);
    if (!incident) throw new IncidentNotFoundError(`No incident with id ${incidentId}`);
    if (awaitsStart(incident.run) && incident.status !== 'resolved') {
      // A run was decided but maybe never started (a crash): finish it first. When it is this
      // very request retried (same kind, same person), finishing it is the answer.
      const pending = incident.run;
      incident = await startRun(deps, incident);
      if (pending.cause === cause && pending.by === by) return { incident, changed: true };
    }
    const now = deps.clock.now();
    const plan = walkingLadder(deps, incident, now);
    const ladderNow = deps.escalation.ladderTime?.(plan.openedAt, now) ?? now;
    const owed = await owedStep(deps.store, incident, plan.steps, ladderNow);
    const number = incident.run.number + 1;
    const decision = decide(incident, { plan, ladderNow, owed, run: number });
    if (decision.kind === 'refused') throw new TransitionRefusedError(decision.reason);
    if (decision.kind === 'unchanged') return { incident, changed: false, reason: decision.reason };

    const at = now.toISOString();
    const severity = decision.changes?.severity ?? incident.severity;
    const next: EscalationInput = {
      incidentId: incident.id,
      severity,
      openedAt: plan.openedAt,
      // The owed step keeps its run: its pages are keyed as the stopped execution's would be (one
      // it sent while being stopped is not sent twice).
      steps: decision.steps.map((step) => (step === owed ? step : { ...step, run: number })),
      executionName: runExecutionName(incident.id, number),
    };
    const run = nextRun(incident.run, cause, { by, at, ladder: next });
    const updated = await deps.store.transition(
      incident,
      ['open', 'acknowledged'],
      { ...decision.changes, run },
      { run: incident.run.number },
    );
    if (!updated) return LOST_RACE; // someone re-planned or resolved it first: look again
    if (decision.entry)
      await deps.store.appendTimeline(incident.id, runKey(decision.entry.type, number), decision.entry);
    await deps.store.appendTimeline(incident.id, runKey('ladder-replanned', number), {
      at,
      type: 'ladder-replanned',
      by,
      reason: cause,
      run: number,
      message: replanMessage(cause, by, plan, next, ladderNow, decision.note),
      before: summarise(plan.steps.filter((step) => Date.parse(step.dueAt) > ladderNow.getTime())),
      after: summarise(next.steps),
    });
    const started = await startRun(deps, updated);
    if (cause === 'escalated') {
      const [first] = next.steps;
      await deps.events.publish([
        lifecycleEvent('escalated', started, at, {
          step: first?.index,
          run: number,
          roles: first?.notify,
          manual: true,
          by,
          ...(decision.note ? { note: decision.note } : {}),
        }),
      ]);
    }
    return { incident: started, changed: true };
  });
}

const summarise = (steps: EscalationStep[]) =>
  steps.map((step) => ({
    step: step.index,
    dueAt: step.dueAt,
    notify: step.responders?.length ? [...step.notify, ...step.responders] : step.notify,
    unless: step.unless,
  }));

function describe(steps: EscalationStep[], from: Date): string {
  if (steps.length === 0) return 'no steps left';
  return steps
    .map((step) => {
      const who = [...step.notify, ...(step.responders ?? [])].join('+');
      const wait = Math.round((Date.parse(step.dueAt) - from.getTime()) / 1000);
      return `${who} ${wait <= 0 ? 'now' : `in ${formatDuration(wait)}`}`;
    })
    .join(', ');
}

function replanMessage(
  reason: ReplanCause,
  by: string,
  before: EscalationInput,
  after: EscalationInput,
  now: Date,
  note?: string,
): string {
  const ahead = before.steps.filter((step) => Date.parse(step.dueAt) > now.getTime());
  const why = {
    escalated: `Escalated now by ${by}`,
    'severity-changed': `Ladder re-planned for ${after.severity} by ${by}`,
    reassigned: `Ladder re-planned for the reassignment by ${by}`,
  }[reason];
  return `${why}${note ? `: ${note}` : ''}. Was: ${describe(ahead, now)}. Now: ${describe(after.steps, now)}.`;
}

/** `POST /v1/incidents/{id}/escalate`: the next step pages now (see planEscalateNow). */
export function escalateNow(deps: CoreDeps, incidentId: string, by: string, note?: string): Promise<ReplanResult> {
  return replanLadder(deps, incidentId, 'escalated', by, (incident, { plan, ladderNow, owed }) => {
    if (incident.status === 'resolved') {
      return {
        kind: 'refused',
        reason: `incident #${incident.number} is resolved; there is nobody left to escalate to`,
      };
    }
    const steps = planEscalateNow(plan.steps, ladderNow, owed);
    if (!steps) {
      return {
        kind: 'refused',
        reason: `incident #${incident.number} has no escalation step left; reassign it to page someone by name`,
      };
    }
    return { kind: 'apply', steps, note };
  });
}

/** Raised when the new severity comes earlier in SEVERITIES (SEV1 is the most severe). */
export const isRaise = (from: Severity, to: Severity) => SEVERITIES.indexOf(to) < SEVERITIES.indexOf(from);
