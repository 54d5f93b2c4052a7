/**
 * Acknowledge and resolve, whoever asks (HTTP API, an integration's acknowledge/resolve event,
 * an alarm back to OK). Each step is idempotent so a retried request finishes what a crashed
 * one started.
 */

import { scopedDedupKey } from './alert.js';
import type { Incident, TimelineEntry, TransitionDecision } from './incident.js';
import { decideAcknowledge, decideResolve } from './incident.js';
import { currentRun, currentRunExecution } from './ladder.js';
import { lifecycleEvent } from './lifecycle-events.js';
import type { CoreDeps } from './ports.js';
import { planPostmortemReminders } from './reminders.js';

export class IncidentNotFoundError extends Error {
  override name = 'IncidentNotFoundError';
}

export class TransitionRefusedError extends Error {
  override name = 'TransitionRefusedError';
}

export type ActionResult = { incident: Incident; changed: boolean; reason?: string };

type Decide = (incident: Incident, at: string) => TransitionDecision;

const MAX_ATTEMPTS = 5;

/**
 * Reads, decides, writes conditionally; on a lost race, reads again and decides again.
 * `timelineKey` makes the entry's write idempotent: by type for once-only transitions
 * (acknowledged, resolved), by type and time for updates that can happen again.
 */
export async function applyTransition(
  deps: CoreDeps,
  incidentId: string,
  decide: Decide,
  timelineKey: (entry: TimelineEntry, at: string) => string = (entry) => entry.type,
): Promise<ActionResult> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const incident = await deps.store.getIncident(incidentId);
    if (!incident) throw new IncidentNotFoundError(`No incident with id ${incidentId}`);
    const at = deps.clock.now().toISOString();
    const decision = decide(incident, at);
    if (decision.kind === 'refused') throw new TransitionRefusedError(decision.reason);
    if (decision.kind === 'unchanged') return { incident, changed: false, reason: decision.reason };
    const updated = await deps.store.transition(incidentId, decision.from, decision.changes);
    if (!updated) continue;
    await deps.store.appendTimeline(incidentId, timelineKey(decision.entry, at), decision.entry);
    return { incident: updated, changed: true };
  }
  throw new Error(`Incident ${incidentId} kept changing under us; try again`);
}

export async function acknowledgeIncident(deps: CoreDeps, incidentId: string, by: string): Promise<ActionResult> {
  const result = await applyTransition(deps, incidentId, (incident, at) => decideAcknowledge(incident, by, at));
  if (result.changed) {
    await deps.events.publish([lifecycleEvent('acknowledged', result.incident, result.incident.acknowledgedAt ?? '')]);
  }
  return result;
}

/**
 * Resolves, then makes sure the ladder is stopped, the dedup key freed and the post-mortem
 * reminders started. Those also run when the incident was already resolved, so a retry after a
 * crash completes them.
 */
export async function resolveIncident(
  deps: CoreDeps,
  incidentId: string,
  by: string,
  options: { note?: string; refuseIfResolved: boolean },
): Promise<ActionResult> {
  let result: ActionResult;
  try {
    result = await applyTransition(deps, incidentId, (incident, at) => decideResolve(incident, by, at, options.note));
  } catch (error) {
    if (!(error instanceof TransitionRefusedError) || options.refuseIfResolved) throw error;
    const incident = await deps.store.getIncident(incidentId);
    if (!incident) throw error;
    result = { incident, changed: false, reason: error.message };
  }
  await finishResolution(deps, result.incident);
  if (result.changed) {
    await deps.events.publish([lifecycleEvent('resolved', result.incident, result.incident.resolvedAt ?? '')]);
  }
  return result;
}

export async function finishResolution(deps: CoreDeps, incident: Incident): Promise<void> {
  const reason = `Incident ${incident.id} resolved`;
  // The ladder is started before its ARN is recorded, so a crash in between leaves a ladder no
  // ARN names: stop the current run by its deterministic name. A recorded ARN of another run (a
  // re-plan cut short) is stopped too.
  const current = currentRunExecution(incident);
  if (incident.executionArn && !incident.executionArn.endsWith(`:${current.executionName}`)) {
    await deps.escalation.stop(incident.executionArn, reason);
  }
  await deps.escalation.stopRun(current, reason);
  // Only if no reopen has held the key for a later run since this one was resolved: an alarm back
  // in ALARM between the status write and this release reopens this very incident, which must
  // keep its key (else its next alert opens and pages a second incident).
  await deps.store.releaseDedupKey(scopedDedupKey(incident), incident.id, currentRun(incident));
  // Idempotent: the execution is named after the incident and its run.
  const postmortem = planPostmortemReminders(deps.config.severityPolicy[incident.severity], incident);
  if (postmortem) await deps.postmortems.start(postmortem);
}
