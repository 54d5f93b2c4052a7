/**
 * The local Step Functions keep their executions in memory, so a runtime restarted with `--data`
 * finds its incidents on disk but no ladder walking them. On start, every open or acknowledged
 * incident whose escalation had started gets its ladder re-planned from the stored incident, with
 * the same absolute due times (from when that ladder started, recorded with its execution), and
 * only from where it stands: the steps still ahead, which wait as planned, and the latest step
 * already due if nobody was paged for it (it fell due while the runtime was down), which runs at
 * once. Steps before that are not replayed: the page task resolves roles to people now, so a
 * replayed step would page whoever is on call today (after a handoff, once per past step), and its
 * per-person keys do not tell that a step was taken by a fallback. Why only the latest due step,
 * rather than every step missed while down: that is where the ladder stands, and paging every
 * missed level at once is the burst a restart must not cause. The state machine re-reads the
 * incident, so a step an acknowledgement made moot is skipped as before. The status-update
 * reminders are a branch of the same execution, so they resume with it (counting from the last
 * note or reminder on the timeline); the post-mortem reminders of resolved incidents are
 * restarted by resumePostmortemReminders.
 */
import { parseDurationSeconds } from '../lambdas/core/duration.js';
import type { Incident } from '../lambdas/core/incident.js';
import { escalationInputFor } from '../lambdas/core/intake.js';
import { type EscalationInput, planResume } from '../lambdas/core/ladder.js';
import { owedStep } from '../lambdas/core/paging.js';
import type { CoreDeps } from '../lambdas/core/ports.js';
import { planPostmortemReminders } from '../lambdas/core/reminders.js';

const RESUMABLE = ['open', 'acknowledged'] as const;

export async function resumeEscalations(deps: Pick<CoreDeps, 'config' | 'store' | 'escalation' | 'clock'>) {
  let resumed = 0;
  for (const status of RESUMABLE) {
    let cursor: string | undefined;
    do {
      const page = await deps.store.listByStatus(status, { limit: 100, cursor });
      for (const incident of page.incidents) {
        // No execution recorded: intake did not finish, and the sender's retry will start it.
        if (!incident.executionArn) continue;
        const input = await resumedInput(deps, incident);
        const { executionArn } = await deps.escalation.start(input);
        const at = deps.clock.now().toISOString();
        await deps.store.appendTimeline(incident.id, `escalation-resumed#${at}`, {
          at,
          type: 'escalation-resumed',
          message: `Escalation re-planned after the local runtime restarted: ${input.steps.length} step(s) left, steps already taken are not repeated`,
          executionArn,
        });
        resumed += 1;
      }
      cursor = page.next;
    } while (cursor);
  }
  return resumed;
}

/** The incident's current plan, cut to where its ladder stands now (see planResume). */
async function resumedInput(
  deps: Pick<CoreDeps, 'config' | 'store' | 'escalation' | 'clock'>,
  incident: Incident,
): Promise<EscalationInput> {
  const input = escalationInputFor(deps, incident);
  const now = deps.clock.now();
  // Due times are on the ladder's clock (the local time scale counts from the ladder's start).
  const ladderNow = deps.escalation.ladderTime?.(input.openedAt, now) ?? now;
  const owed = await owedStep(deps.store, incident, input.steps, ladderNow);
  return { ...input, steps: planResume(input.steps, ladderNow, !owed) };
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
    ...Object.values(deps.config.severityPolicy).map((tier) => parseDurationSeconds(tier.postmortemDue) ?? 0),
  );
  if (longest === 0) return 0;
  const from = new Date(now.getTime() - (longest + 30 * 86_400) * 1000).toISOString();
  let resumed = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.store.listByStatus('resolved', { limit: 100, cursor, from });
    for (const incident of page.incidents) {
      if (incident.postmortemDoneAt) continue;
      const plan = planPostmortemReminders(deps.config.severityPolicy[incident.severity], incident);
      if (!plan?.dueAt || Date.parse(plan.dueAt) < now.getTime()) continue;
      await deps.postmortems.start(plan);
      resumed += 1;
    }
    cursor = page.next;
  } while (cursor);
  return resumed;
}
