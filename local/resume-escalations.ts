/**
 * The local Step Functions keep their executions in memory, so a runtime restarted with `--data`
 * finds its incidents on disk but no ladder walking them. On start, every open or acknowledged
 * incident whose run has a ladder gets a new run (runs.ts), cause `restarted`, decided and started
 * like any other (run-control.ts startRun: the execution it replaces is stopped, its own started
 * under its own name). Its ladder is the current run's, with the same absolute due times, cut by
 * planResume to where it stands: the steps still ahead, which wait as planned, and the latest step
 * already due if nobody was paged for it (it fell due while the runtime was down), which runs at
 * once. Steps before that are not replayed: the page task resolves roles to people now, so a
 * replayed step would page whoever is on call today (after a handoff, once per past step), and its
 * per-person keys do not tell that a step was taken by a fallback. Why only the latest due step,
 * rather than every step missed while down: that is where the ladder stands, and paging every
 * missed level at once is the burst a restart must not cause. The state machine re-reads the
 * incident, so a step an acknowledgement made moot is skipped. A run held for maintenance has no
 * ladder and is left alone: its window's end (a kept schedule) or the first alert after it decides the run that pages. The
 * status-update reminders are a branch of the same execution, so they resume with it (counting from
 * the last note or reminder on the timeline); the post-mortem reminders of resolved incidents are
 * restarted by resumePostmortemReminders.
 */

import { LOST_RACE, readDecideWrite } from '../lambdas/core/conditional-writes.js';
import { tierOf } from '../lambdas/core/config-lookups.js';
import { parseDurationSeconds } from '../lambdas/core/duration.js';
import type { Incident } from '../lambdas/core/incident.js';
import { planResume } from '../lambdas/core/ladder.js';
import { owedStep } from '../lambdas/core/paging.js';
import type { CoreDeps } from '../lambdas/core/ports.js';
import { planPostmortemReminders } from '../lambdas/core/reminders.js';
import { startRun } from '../lambdas/core/run-control.js';
import { nextRun, runExecutionName } from '../lambdas/core/runs.js';

const RESUMABLE = ['open', 'acknowledged'] as const;

type ResumeDeps = Pick<CoreDeps, 'config' | 'store' | 'escalation' | 'clock'>;

export async function resumeEscalations(deps: ResumeDeps) {
  let resumed = 0;
  for (const status of RESUMABLE) {
    let cursor: string | undefined;
    do {
      const page = await deps.store.listByStatus(status, { limit: 100, cursor });
      for (const incident of page.incidents) {
        // A run a maintenance window holds has no ladder walking: the next alert after the window starts it.
        if (!incident.run.ladder) continue;
        if (await resumeIncident(deps, incident.id)) resumed += 1;
      }
      cursor = page.next;
    } while (cursor);
  }
  return resumed;
}

/**
 * A new run (cause `restarted`) with the current ladder cut to where it stands now (see
 * planResume), decided like any other run, then started like any other.
 */
function resumeIncident(deps: ResumeDeps, incidentId: string): Promise<boolean> {
  return readDecideWrite(`Incident ${incidentId}`, async () => {
    const incident = await deps.store.getIncident(incidentId);
    const ladder = incident?.run.ladder;
    if (!incident || !ladder || incident.status === 'resolved') return false;
    const now = deps.clock.now();
    // Due times are on the ladder's clock (the local time scale counts from the ladder's start).
    const ladderNow = deps.escalation.ladderTime?.(ladder.openedAt, now) ?? now;
    const owed = await owedStep(deps.store, incident, ladder.steps, ladderNow);
    const number = incident.run.number + 1;
    const run = nextRun(incident.run, 'restarted', {
      by: 'klaxon',
      at: now.toISOString(),
      ladder: {
        ...ladder,
        // The owed step keeps its run, so a page its stopped execution sent is not sent twice.
        steps: planResume(ladder.steps, ladderNow, !owed).map((step) =>
          step === owed ? step : { ...step, run: number },
        ),
        executionName: runExecutionName(incident.id, number),
      },
    });
    const updated = await deps.store.transition(incident, RESUMABLE.slice(), { run }, { run: incident.run.number });
    if (!updated) return LOST_RACE;
    await startRun(deps, updated as Incident);
    return true;
  });
}

/**
 * Resolved incidents whose post-mortem is neither done nor past its deadline get their post-mortem
 * reminders again (same plan, from resolvedAt; a reminder already sent is on the timeline and is
 * not sent twice). Only incidents opened within the longest deadline plus a month are looked at:
 * a Query on the status index, not a walk through all history.
 */
export async function resumePostmortemReminders(deps: Pick<CoreDeps, 'config' | 'store' | 'postmortems' | 'clock'>) {
  const now = deps.clock.now();
  const longest = Math.max(
    0,
    ...[deps.config.severityPolicy, ...deps.config.teams.map((team) => team.severityPolicy)]
      .flatMap((policy) => Object.values(policy))
      .map((tier) => (tier ? (parseDurationSeconds(tier.postmortemDue) ?? 0) : 0)),
  );
  if (longest === 0) return 0;
  const from = new Date(now.getTime() - (longest + 30 * 86_400) * 1000).toISOString();
  let resumed = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.store.listByStatus('resolved', { limit: 100, cursor, from });
    for (const incident of page.incidents) {
      if (incident.postmortemDoneAt) continue;
      const plan = planPostmortemReminders(tierOf(deps.config, incident), incident);
      if (!plan?.dueAt || Date.parse(plan.dueAt) < now.getTime()) continue;
      await deps.postmortems.start(plan);
      resumed += 1;
    }
    cursor = page.next;
  } while (cursor);
  return resumed;
}
