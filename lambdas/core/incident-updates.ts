/**
 * What responders do to an incident besides acknowledge and resolve: post a status update (a
 * note), change its severity, hand it to someone else, and close its post-mortem. Each change is a
 * pure decision applied with a condition on the status it started from, like the transitions.
 */
import type { KlaxonConfig, Severity } from './config.js';
import { responderById, tierOf } from './config-lookups.js';
import type { Incident, IncidentStatus, IncidentWithTimeline, TimelineEntry } from './incident.js';
import { decideTake } from './incident.js';
import { planReassign, planSeverityChange } from './ladder.js';
import { lifecycleEvent } from './lifecycle-events.js';
import type { CoreDeps } from './ports.js';
import { IncidentNotFoundError, UnknownResponderError } from './refusals.js';
import { isRaise, replanLadder } from './replan.js';
import { type ActionResult, applyTransition } from './responder-actions.js';
import { runKey } from './runs.js';

export type UpdateDecision =
  | { kind: 'apply'; from: IncidentStatus[]; changes: Partial<Incident>; entry: TimelineEntry }
  | { kind: 'unchanged'; reason: string }
  | { kind: 'refused'; reason: string };

const UNRESOLVED: IncidentStatus[] = ['open', 'acknowledged'];

export function decideSeverityChange(
  incident: Incident,
  severity: Severity,
  by: string,
  at: string,
  reason?: string,
): UpdateDecision {
  if (incident.status === 'resolved') {
    return { kind: 'refused', reason: `incident #${incident.number} is resolved; its severity can no longer change` };
  }
  if (incident.severity === severity) return { kind: 'unchanged', reason: `already ${severity}` };
  return {
    kind: 'apply',
    from: UNRESOLVED,
    changes: { severity },
    entry: {
      at,
      type: 'severity-changed',
      by,
      from: incident.severity,
      to: severity,
      message: `Severity changed from ${incident.severity} to ${severity} by ${by}${reason ? `: ${reason}` : ''}`,
    },
  };
}

export function decideReassign(
  config: KlaxonConfig,
  incident: Incident,
  to: string,
  by: string,
  at: string,
): UpdateDecision {
  if (incident.status === 'resolved') {
    return { kind: 'refused', reason: `incident #${incident.number} is resolved; there is nothing left to hand over` };
  }
  if (incident.assignee === to) return { kind: 'unchanged', reason: `already assigned to ${to}` };
  const responder = responderById(config, to);
  return {
    kind: 'apply',
    from: UNRESOLVED,
    changes: { assignee: to },
    entry: {
      at,
      type: 'reassigned',
      by,
      from: incident.assignee ?? null,
      to,
      message: `Reassigned to ${responder?.name ?? to} by ${by}`,
    },
  };
}

export function decidePostmortemDone(incident: Incident, by: string, at: string, url?: string): UpdateDecision {
  if (incident.status !== 'resolved') {
    return {
      kind: 'refused',
      reason: `incident #${incident.number} is ${incident.status}; resolve it before closing its post-mortem`,
    };
  }
  if (incident.postmortemDoneAt) {
    return { kind: 'unchanged', reason: `post-mortem already done at ${incident.postmortemDoneAt}` };
  }
  return {
    kind: 'apply',
    from: ['resolved'],
    changes: { postmortemDoneAt: at, postmortemDoneBy: by, ...(url ? { postmortemUrl: url } : {}) },
    entry: { at, type: 'postmortem-done', by, message: `Post-mortem done by ${by}${url ? `: ${url}` : ''}` },
  };
}

export type UpdateResult = { incident: Incident; changed: boolean; reason?: string };

/** A severity can change twice: each change is its own timeline entry, keyed by type and time. */
const applyUpdate = (deps: CoreDeps, incidentId: string, decide: (incident: Incident, at: string) => UpdateDecision) =>
  applyTransition(deps, incidentId, decide, { timelineKey: (entry, at) => `${entry.type}#${at}` });

/**
 * A severity change re-plans the ladder with the new tier's steps from the same start (see
 * planSeverityChange): raised, what the new tier would have paged by now pages at once, once;
 * lowered, nothing already past is paged again. Steps still ahead follow the new tier.
 */
export function changeSeverity(
  deps: CoreDeps,
  incidentId: string,
  severity: Severity,
  by: string,
  reason?: string,
): Promise<UpdateResult> {
  return replanLadder(deps, incidentId, 'severity-changed', by, (incident, { plan, ladderNow, owed, run }) => {
    const decision = decideSeverityChange(incident, severity, by, ladderNow.toISOString(), reason);
    if (decision.kind !== 'apply') return decision;
    const raised = isRaise(incident.severity, severity);
    const steps = planSeverityChange(tierOf(deps.config, { team: incident.team, severity }), plan.openedAt, ladderNow, {
      raised,
      acknowledged: incident.status === 'acknowledged',
      owed,
      run,
    });
    return {
      kind: 'apply',
      // Raised, the owed step's people are in the catch-up, a step of the new run.
      steps,
      changes: decision.changes,
      entry: { ...decision.entry, at: deps.clock.now().toISOString() },
    };
  });
}

/** Reassigning pages the new assignee at once (a step of its own), then the ladder goes on as planned. */
export function reassignIncident(deps: CoreDeps, incidentId: string, to: string, by: string): Promise<UpdateResult> {
  if (!responderById(deps.config, to)) {
    const known = deps.config.responders.map((responder) => responder.id).join(', ');
    return Promise.reject(new UnknownResponderError(`No responder "${to}" in the config; responders are: ${known}`));
  }
  return replanLadder(deps, incidentId, 'reassigned', by, (incident, { plan, ladderNow, owed, run }) => {
    const decision = decideReassign(deps.config, incident, to, by, deps.clock.now().toISOString());
    if (decision.kind !== 'apply') return decision;
    return {
      kind: 'apply',
      steps: planReassign(plan.steps, ladderNow, to, run, owed),
      changes: decision.changes,
      entry: decision.entry,
    };
  });
}

export function markPostmortemDone(
  deps: CoreDeps,
  incidentId: string,
  by: string,
  url?: string,
): Promise<UpdateResult> {
  return applyUpdate(deps, incidentId, (incident, at) => decidePostmortemDone(incident, by, at, url));
}

/**
 * A status update on the timeline. Allowed in every state (a note after resolving explains the
 * fix); `noteId` lets a client retry without posting the note twice.
 */
export async function addNote(
  deps: CoreDeps,
  incidentId: string,
  by: string,
  message: string,
  noteId: string = deps.ids.next(),
): Promise<IncidentWithTimeline> {
  const incident = await deps.store.getIncident(incidentId);
  if (!incident) throw new IncidentNotFoundError(`No incident with id ${incidentId}`);
  const at = deps.clock.now().toISOString();
  await deps.store.appendTimeline(incidentId, `note#${noteId}`, { at, type: 'note', by, message, noteId });
  const shown = await deps.store.getIncidentWithTimeline(incidentId);
  if (!shown) throw new IncidentNotFoundError(`No incident with id ${incidentId}`);
  return shown;
}

/**
 * A responder takes the incident: assigned to them and acknowledged in one write (decideTake).
 * Taking an open incident publishes the acknowledgement, as acknowledging does; the entry is keyed
 * by episode and taker, so a retry neither repeats it nor hides a second person's take.
 */
export async function takeIncident(deps: CoreDeps, incidentId: string, by: string): Promise<ActionResult> {
  const responder = responderById(deps.config, by);
  if (!responder) {
    const known = deps.config.responders.map((candidate) => candidate.id).join(', ');
    throw new UnknownResponderError(
      `Only a responder can take an incident, and "${by}" is none; responders are: ${known}`,
    );
  }
  let acknowledged = false;
  const result = await applyTransition(
    deps,
    incidentId,
    (incident, at) => {
      acknowledged = incident.status === 'open';
      return decideTake(incident, by, responder.name, at);
    },
    {
      timelineKey: (_entry, _at, incident) => `${runKey('taken', incident.run.episode)}#${by}`,
      followUp: async (incident) => {
        if (acknowledged) {
          await deps.events.publish([lifecycleEvent('acknowledged', incident, incident.acknowledgedAt ?? '')]);
        }
      },
    },
  );
  return result;
}
