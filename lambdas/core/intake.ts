/**
 * What an alert does to incidents: a trigger opens one, or joins the open one with the same
 * dedup key; an acknowledge or resolve from the sender moves that incident on.
 *
 * Correct under concurrent duplicates and crash-retry with single-item conditional writes only
 * (no transactions: dynalite has none):
 *  1. the dedup record is claimed with a conditional put, so one incident id wins the key;
 *  2. whoever finds the key claimed but the incident missing (its creator crashed, or is still
 *     writing) writes it with put-if-absent: the first writer's incident stands;
 *  3. the escalation is started by anyone who sees no execution recorded; the execution name is
 *     the incident id, so a second start is harmless.
 * A sender that got a 5xx retries and the retry completes whatever step was missing.
 */
import { type Alert, scopedDedupKey } from './alert.js';
import type { Severity } from './config.js';
import type { Incident } from './incident.js';
import { type EscalationInput, planLadder } from './ladder.js';
import { lifecycleEvent } from './lifecycle-events.js';
import type { CoreDeps } from './ports.js';
import { acknowledgeIncident, resolveIncident, TransitionRefusedError } from './responder-actions.js';
import { resolveSeverity } from './severity.js';

export type IntakeOutcome =
  | { outcome: 'opened'; incident: Incident }
  | { outcome: 'deduplicated'; incident: Incident }
  | { outcome: 'acknowledged' | 'resolved' | 'unchanged'; incident: Incident }
  | { outcome: 'no-open-incident'; dedupKey: string };

const MAX_CLAIM_ATTEMPTS = 5;

export async function receiveAlert(deps: CoreDeps, alert: Alert): Promise<IntakeOutcome> {
  switch (alert.action) {
    case 'trigger':
      return trigger(deps, alert);
    case 'acknowledge':
    case 'resolve':
      return actOnOpenIncident(deps, alert);
  }
}

async function trigger(deps: CoreDeps, alert: Alert): Promise<IntakeOutcome> {
  const key = scopedDedupKey(alert);
  for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
    const now = deps.clock.now().toISOString();
    const candidateId = deps.ids.next();
    const claim = await deps.store.claimDedupKey(key, candidateId, now);
    const incidentId = claim.claimed ? candidateId : claim.incidentId;

    let incident = await deps.store.getIncident(incidentId);
    let createdNow = false;
    if (!incident) {
      const written = await deps.store.createIncident(draftIncident(deps, alert, incidentId, now));
      incident = written.incident;
      createdNow = written.created;
      if (createdNow) await recordOpening(deps, incident, alert);
    } else if (incident.status === 'resolved') {
      // The key still points at a resolved incident: its resolution was cut short before the
      // key was freed. Free it and claim again, so this alert opens a new incident.
      await deps.store.releaseDedupKey(key, incident.id);
      continue;
    }

    if (!incident.executionArn) incident = await startEscalation(deps, incident);
    if (createdNow) return { outcome: 'opened', incident };

    await deps.store.recordRepeatAlert(incident.id, alert.deliveryId, {
      at: now,
      type: 'alert',
      message: `Alert repeated: ${alert.summary}`,
      deliveryId: alert.deliveryId,
    });
    return { outcome: 'deduplicated', incident };
  }
  throw new Error(`Could not claim dedup key ${key} after ${MAX_CLAIM_ATTEMPTS} attempts; the sender should retry`);
}

function draftIncident(deps: CoreDeps, alert: Alert, id: string, now: string): Incident {
  const severity = severityOf(deps, alert);
  return {
    id,
    title: alert.title,
    severity,
    status: 'open',
    service: alert.service ?? deps.config.defaultService,
    dedupKey: alert.dedupKey,
    source: alert.source,
    summary: alert.summary,
    openedAt: now,
    drill: alert.drill === true,
    alertCount: 1,
    lastAlertAt: now,
    details: { ...alert.details, alertTime: alert.occurredAt },
  };
}

function severityOf(deps: CoreDeps, alert: Alert): Severity {
  return resolveSeverity(deps.config, alert.severityText) ?? deps.config.defaultSeverity;
}

async function recordOpening(deps: CoreDeps, incident: Incident, alert: Alert): Promise<void> {
  await deps.store.appendTimeline(incident.id, 'opened', {
    at: incident.openedAt,
    type: 'opened',
    by: `alarm:${alert.source}`,
    message: `Opened by ${alert.source}: ${alert.summary}`,
    deliveryId: alert.deliveryId,
  });
  if (!resolveSeverity(deps.config, alert.severityText)) {
    const what = alert.severityText ? `unknown severity "${alert.severityText}"` : 'no severity';
    await deps.store.appendTimeline(incident.id, 'severity-defaulted', {
      at: incident.openedAt,
      type: 'severity-defaulted',
      message: `The alert had ${what}${alert.severitySource ? ` in ${alert.severitySource}` : ''}; the default ${incident.severity} applies`,
    });
  }
}

export function escalationInputFor(deps: Pick<CoreDeps, 'config'>, incident: Incident): EscalationInput {
  return {
    incidentId: incident.id,
    severity: incident.severity,
    openedAt: incident.openedAt,
    steps: planLadder(deps.config.severityPolicy[incident.severity], incident.openedAt),
  };
}

async function startEscalation(deps: CoreDeps, incident: Incident): Promise<Incident> {
  const input = escalationInputFor(deps, incident);
  const { executionArn } = await deps.escalation.start(input);
  await deps.store.appendTimeline(incident.id, 'escalation-started', {
    at: deps.clock.now().toISOString(),
    type: 'escalation-started',
    message: `Escalation started: ${input.steps.length} step(s) for ${incident.severity}`,
    executionArn,
  });
  // Published before the ARN is recorded: a crash in between republishes on retry (at least once).
  await deps.events.publish([lifecycleEvent('opened', incident, incident.openedAt)]);
  await deps.store.setExecutionArn(incident.id, executionArn);
  return { ...incident, executionArn };
}

async function actOnOpenIncident(deps: CoreDeps, alert: Alert): Promise<IntakeOutcome> {
  const key = scopedDedupKey(alert);
  const incidentId = await deps.store.findByDedupKey(key);
  if (!incidentId) return { outcome: 'no-open-incident', dedupKey: alert.dedupKey };
  if (alert.action === 'acknowledge') {
    try {
      const result = await acknowledgeIncident(deps, incidentId, alert.actor);
      return { outcome: result.changed ? 'acknowledged' : 'unchanged', incident: result.incident };
    } catch (error) {
      // A sender acknowledging what is already resolved has nothing left to do.
      if (!(error instanceof TransitionRefusedError)) throw error;
      const incident = await deps.store.getIncident(incidentId);
      if (!incident) throw error;
      return { outcome: 'unchanged', incident };
    }
  }
  const result = await resolveIncident(deps, incidentId, alert.actor, {
    note: alert.summary,
    refuseIfResolved: false,
  });
  return { outcome: result.changed ? 'resolved' : 'unchanged', incident: result.incident };
}
