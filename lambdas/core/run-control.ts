/**
 * Starting and stopping runs (runs.ts): the one way every decision that makes a new run (open,
 * reopen, re-plan, drill, maintenance end, restart) gets its ladder walking, and the one way a
 * resolution stops it. Both are idempotent, so whoever finds a run waiting for its start (a retry,
 * the next alert, a page task, a restarted runtime) simply calls startRun again.
 */
import type { KlaxonConfig, Severity } from './config.js';
import { tierOf } from './config-lookups.js';
import type { Incident } from './incident.js';
import { type EscalationInput, planLadder } from './ladder.js';
import type { CoreDeps } from './ports.js';
import { awaitsStart, executionOf, type Run, runExecutionName, runKey } from './runs.js';

/** The tier's ladder (the incident's team's) for run `run` of the incident, from `startsAt`. */
export function tierLadder(
  config: KlaxonConfig,
  incidentId: string,
  team: string,
  severity: Severity,
  startsAt: string,
  run: number,
): EscalationInput {
  return {
    incidentId,
    severity,
    openedAt: startsAt,
    steps: planLadder(tierOf(config, { team, severity }), startsAt, run),
    executionName: runExecutionName(incidentId, run),
  };
}

/** The timeline entry that says a run's ladder started, where no other entry says it already. */
function startEntry(incident: Incident, run: Run, ladder: EscalationInput, at: string) {
  const steps = `${ladder.steps.length} step(s) for ${ladder.severity}`;
  switch (run.cause) {
    case 'opened':
    case 'reopened':
      return {
        key: runKey('escalation-started', run.number),
        message: `${incident.drill ? 'Drill escalation' : 'Escalation'} started: ${steps}`,
      };
    case 'maintenance-ended':
      return {
        key: runKey('escalation-started', run.number),
        message: `Maintenance over: escalation started from ${at}, ${steps}`,
      };
    case 'restarted':
      return {
        key: runKey('escalation-resumed', run.number),
        message: `Escalation re-planned after the local runtime restarted: ${ladder.steps.length} step(s) left, steps already taken are not repeated`,
      };
    default:
      // A re-plan's own entry (ladder-replanned) was written with its decision.
      return undefined;
  }
}

/**
 * Gets the incident's current run walking: stops the execution it superseded, writes its entry
 * (keyed) beside the caller's own work, starts its execution (a second start of the same run is
 * harmless), and marks it started.
 * Callers call it when the run awaits its start (runs.ts awaitsStart) or when they decided the run
 * themselves and may be retrying. `markStarted: false` leaves the mark to the run's first page task,
 * for a caller that must answer quickly (intake). `alongside`: the caller's own idempotent work,
 * finished before the start.
 */
export async function startRun(
  deps: Pick<CoreDeps, 'store' | 'escalation' | 'clock'>,
  incident: Incident,
  options: {
    markStarted?: boolean;
    alongside?: Promise<unknown>[];
    /** Done together with the start, or after `alongside` when there is none (a held run). */
    withStart?: () => Promise<unknown> | undefined;
  } = {},
): Promise<Incident> {
  const { run } = incident;
  const ladder = run.ladder;
  if (!ladder || incident.status === 'resolved') {
    await Promise.all(options.alongside ?? []);
    await options.withStart?.();
    return incident;
  }
  if (run.supersedes) {
    await deps.escalation.stopRun(run.supersedes, `Superseded by run ${run.number} (${run.cause})`);
  }
  const at = deps.clock.now().toISOString();
  const entry = startEntry(incident, run, ladder, at);
  // Recorded before the start: a start is only ever made once everything it follows is written,
  // so a run seen started (runs.ts startedAt) has nothing left to repair.
  await Promise.all([
    entry
      ? deps.store.appendTimeline(incident.id, entry.key, {
          at,
          type: run.cause === 'restarted' ? 'escalation-resumed' : 'escalation-started',
          message: entry.message,
          run: run.number,
        })
      : undefined,
    ...(options.alongside ?? []),
  ]);
  await Promise.all([deps.escalation.start(ladder), options.withStart?.()]);
  if (options.markStarted === false || !awaitsStart(run)) return incident;
  await deps.store.markRunStarted(incident.id, run.number, at);
  return { ...incident, run: { ...run, startedAt: at } };
}

/** Stops the run's execution and the one it superseded (a re-plan cut short may have left it walking). */
export async function stopRun(deps: Pick<CoreDeps, 'escalation'>, run: Run, reason: string): Promise<void> {
  const executions = [run.ladder && executionOf(run.ladder), run.supersedes];
  await Promise.all(executions.map((execution) => execution && deps.escalation.stopRun(execution, reason)));
}
