/**
 * Every change to a running ladder goes one way: decide the new plan, bump the incident's
 * `ladderRun` with a conditional write (the decision: of two racing re-plans one wins, the other
 * reads again), stop the running execution and start run n as execution `<id>-r<n>` with the new
 * plan. Escalate now, a severity change and a reassignment use it; a reopen (intake) bumps the
 * same counter.
 *
 * Crash-safe: the plan is stored with the bump, so whoever finds run n recorded but not started
 * (a retry of the request, the next alert for the incident, a restarted local runtime) starts
 * exactly that plan; starting an execution with the same name and input twice is harmless, and
 * the timeline entries are keyed by run so a retry writes each once.
 */
import { SEVERITIES, type Severity } from './config.js';
import { formatDuration } from './duration.js';
import type { Incident, TimelineEntry } from './incident.js';
import { escalationInputFor } from './intake.js';
import {
  currentRun,
  type EscalationInput,
  type EscalationStep,
  type LadderPlan,
  planEscalateNow,
  type ReplanReason,
  recordsCurrentRun,
  runExecutionName,
} from './ladder.js';
import { lifecycleEvent } from './lifecycle-events.js';
import { owedStep } from './paging.js';
import type { CoreDeps } from './ports.js';
import { IncidentNotFoundError, TransitionRefusedError } from './responder-actions.js';

const MAX_ATTEMPTS = 5;

export type ReplanDecision =
  | {
      kind: 'apply';
      steps: EscalationStep[];
      /** Other changes written with the bump (the new severity, the assignee). */
      changes?: Partial<Incident>;
      /** An entry of the change itself (severity-changed, reassigned), beside the re-plan's own. */
      entry?: TimelineEntry;
      note?: string;
      /**
       * steps[0] is the owed step (see owedStep) carried over: it keeps its run, so its pages are
       * keyed as the stopped execution's would be (one it sent while being stopped is not sent twice).
       */
      carriesOwed?: boolean;
    }
  | { kind: 'unchanged'; reason: string }
  | { kind: 'refused'; reason: string };

export interface ReplanResult {
  incident: Incident;
  changed: boolean;
  reason?: string;
  plan?: LadderPlan;
}

/**
 * Reads, decides with the current plan and the ladder's "now", writes the new run conditionally
 * (only while unresolved), then starts it. `decide` refuses a resolved incident with its own
 * words, and sees the ladder's time (the local runtime's time scale applied).
 */
export async function replanLadder(
  deps: CoreDeps,
  incidentId: string,
  reason: ReplanReason,
  by: string,
  decide: (incident: Incident, plan: EscalationInput, ladderNow: Date, owed?: EscalationStep) => ReplanDecision,
): Promise<ReplanResult> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const incident = await deps.store.getIncident(incidentId);
    if (!incident) throw new IncidentNotFoundError(`No incident with id ${incidentId}`);
    const pending = pendingPlan(incident);
    if (pending) {
      // A re-plan was decided but its ladder never started (a crash): finish it first. When it
      // is this very request retried (same kind, same person), finishing it is the answer.
      await startPlan(deps, incident, pending);
      if (pending.reason === reason && pending.by === by) return { incident, changed: true, plan: pending };
      continue;
    }
    // The plan the ladder is walking now: stored after a re-plan, else the tier's from its start.
    const plan = escalationInputFor(deps, incident);
    const now = deps.clock.now();
    const ladderNow = deps.escalation.ladderTime?.(plan.openedAt, now) ?? now;
    const owed = await owedStep(deps.store, incident, plan.steps, ladderNow);
    const decision = decide(incident, plan, ladderNow, owed);
    if (decision.kind === 'refused') throw new TransitionRefusedError(decision.reason);
    if (decision.kind === 'unchanged') return { incident, changed: false, reason: decision.reason };

    const run = currentRun(incident) + 1;
    const at = now.toISOString();
    const next: LadderPlan = {
      incidentId: incident.id,
      severity: (decision.changes?.severity ?? incident.severity) as string,
      openedAt: plan.openedAt,
      steps: decision.steps.map((step, i) => (i === 0 && decision.carriesOwed ? step : { ...step, run })),
      executionName: runExecutionName(incident.id, run),
      run,
      reason,
      by,
      at,
    };
    const updated = await deps.store.replan(incident.id, incident.ladderRun, {
      ...decision.changes,
      ladderRun: run,
      ladderPlan: next,
    });
    if (!updated) continue; // someone re-planned or resolved it first: look again
    if (decision.entry) await deps.store.appendTimeline(incident.id, `${decision.entry.type}#r${run}`, decision.entry);
    await deps.store.appendTimeline(incident.id, `ladder-replanned#r${run}`, {
      at,
      type: 'ladder-replanned',
      by,
      reason,
      run,
      message: replanMessage(reason, by, plan, next, ladderNow, decision.note),
      before: summarise(plan.steps.filter((step) => Date.parse(step.dueAt) > ladderNow.getTime())),
      after: summarise(next.steps),
    });
    const started = await startPlan(deps, updated, next);
    if (reason === 'escalated') {
      const [first] = next.steps;
      await deps.events.publish([
        lifecycleEvent('escalated', started, at, {
          step: first?.index,
          roles: first?.notify,
          manual: true,
          by,
          ...(decision.note ? { note: decision.note } : {}),
        }),
      ]);
    }
    return { incident: started, changed: true, plan: next };
  }
  throw new Error(`Incident ${incidentId} kept changing under us; try again`);
}

/** The stored plan of the current run when its execution is not the one recorded. */
function pendingPlan(incident: Incident): LadderPlan | undefined {
  const plan = incident.ladderPlan;
  if (!plan || plan.run !== currentRun(incident)) return undefined;
  if (recordsCurrentRun(incident, plan.executionName)) return undefined;
  return plan;
}

async function startPlan(deps: CoreDeps, incident: Incident, plan: LadderPlan): Promise<Incident> {
  if (incident.executionArn) {
    await deps.escalation.stop(incident.executionArn, `Ladder re-planned (${plan.reason}) as run ${plan.run}`);
  }
  const { incidentId, severity, openedAt, steps, executionName } = plan;
  const { executionArn } = await deps.escalation.start({ incidentId, severity, openedAt, steps, executionName });
  await deps.store.setExecutionArn(incident.id, executionArn, openedAt);
  return { ...incident, executionArn, ladderStartedAt: openedAt };
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
  reason: ReplanReason,
  by: string,
  before: EscalationInput,
  after: LadderPlan,
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
  return replanLadder(deps, incidentId, 'escalated', by, (incident, plan, ladderNow, owed) => {
    if (incident.status === 'resolved') {
      return { kind: 'refused', reason: `incident ${incident.id} is resolved; there is nobody left to escalate to` };
    }
    const steps = planEscalateNow(plan.steps, ladderNow, owed);
    if (!steps) {
      return {
        kind: 'refused',
        reason: `incident ${incident.id} has no escalation step left; reassign it to page someone by name`,
      };
    }
    return { kind: 'apply', steps, note, carriesOwed: owed !== undefined };
  });
}

/** Raised when the new severity comes earlier in SEVERITIES (SEV1 is the most severe). */
export const isRaise = (from: Severity, to: Severity) => SEVERITIES.indexOf(to) < SEVERITIES.indexOf(from);
