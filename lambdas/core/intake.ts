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
 *     the incident id, so a second start is harmless;
 *  4. a reopen holds the dedup key for its new run before it is written, and a resolution frees
 *     the key only if no later run holds it, so a reopen racing a resolution keeps its key.
 * A sender that got a 5xx retries and the retry completes whatever step was missing.
 *
 * A delivery the sender identifies (alert.identifiedDelivery) is recorded as processed once it
 * has been carried out to the end, and never acts again: a signed SNS message replayed after its
 * incident resolved must not reopen it and page again. Recorded last, so a retry of a delivery
 * cut short by a crash is not refused and finishes the job.
 */
import { type Alert, scopedDedupKey } from './alert.js';
import { alertPolicyFor } from './config.js';
import { parseDurationSeconds } from './duration.js';
import type { Incident } from './incident.js';
import type { IntakeRecordDeps, MaintenanceWindow } from './intake-records.js';
import {
  currentRun,
  type EscalationInput,
  ladderStartOf,
  planLadder,
  recordsCurrentRun,
  runExecutionName,
  runTimelineKey,
  unrecordedLadderStart,
} from './ladder.js';
import { lifecycleEvent } from './lifecycle-events.js';
import { isInForce } from './maintenance.js';
import type { CoreDeps } from './ports.js';
import { acknowledgeIncident, IGNORED, resolveIncident, TransitionRefusedError } from './responder-actions.js';
import { type RouteDecision, routeAlert } from './routing.js';

export type IntakeOutcome =
  | { outcome: 'opened' | 'reopened'; incident: Incident }
  | { outcome: 'deduplicated'; incident: Incident }
  | { outcome: 'acknowledged' | 'resolved' | 'unchanged'; incident: Incident }
  | { outcome: 'no-open-incident'; dedupKey: string }
  /** A trigger sent before the resolve that ended its dedup key's latest incident: noted there, nothing done. */
  | { outcome: 'stale'; incident: Incident }
  /** This very delivery was processed before: nothing was done (with the incident it acted on, if any). */
  | { outcome: 'already-processed'; incident: Incident }
  | { outcome: 'already-processed'; dedupKey: string };

const MAX_CLAIM_ATTEMPTS = 5;

/** Without `records` (maintenance windows) every service is taken as out of maintenance. */
export type IntakeDeps = CoreDeps & Partial<IntakeRecordDeps>;

/** The timeline key of the entry that says an incident's run 0 was held for maintenance (runTimelineKey for later runs). */
export const HELD_FOR_MAINTENANCE = 'held-for-maintenance';

export async function receiveAlert(deps: IntakeDeps, alert: Alert): Promise<IntakeOutcome> {
  const records = alert.identifiedDelivery ? deps.records : undefined;
  const processed = await records?.processedDelivery(alert.deliveryId);
  if (processed) {
    const incident = processed.incidentId ? await deps.store.getIncident(processed.incidentId) : undefined;
    return incident
      ? { outcome: 'already-processed', incident }
      : { outcome: 'already-processed', dedupKey: alert.dedupKey };
  }
  const result = await act(deps, alert);
  await records?.recordProcessedDelivery({
    deliveryId: alert.deliveryId,
    at: deps.clock.now().toISOString(),
    outcome: result.outcome,
    ...('incident' in result ? { incidentId: result.incident.id } : {}),
  });
  return result;
}

function act(deps: IntakeDeps, alert: Alert): Promise<IntakeOutcome> {
  switch (alert.action) {
    case 'trigger':
      return trigger(deps, alert);
    case 'acknowledge':
    case 'resolve':
      return actOnOpenIncident(deps, alert);
  }
}

async function trigger(deps: IntakeDeps, alert: Alert): Promise<IntakeOutcome> {
  const key = scopedDedupKey(alert);
  const route = routeAlert(deps.config, alert);
  for (let attempt = 0; attempt < MAX_CLAIM_ATTEMPTS; attempt++) {
    const now = deps.clock.now().toISOString();
    const found = await incidentForKey(deps, alert, key, now);
    const { incidentId, fresh } = found;

    // An id this call has just generated and claimed names no incident yet: nothing to read.
    let incident = fresh ? undefined : (found.incident ?? (await deps.store.getIncident(incidentId)));
    if (incident && staleTrigger(alert, incident)) return ignoreStaleTrigger(deps, alert, incident);
    let createdNow = false;
    let reopenedNow = false;
    let maintenance: Promise<MaintenanceWindow | undefined> | undefined;
    if (!incident) {
      // A new incident escalates unless its service is in maintenance: read that beside the write.
      maintenance = background(deps.records?.getMaintenance(route.service));
      if (REOPENING_SOURCES.has(alert.source)) await deps.records?.pointLatest(key, incidentId);
      const written = await deps.store.createIncident(draftIncident(alert, incidentId, now, route));
      incident = written.incident;
      createdNow = written.created;
      if (incident.service !== route.service) maintenance = undefined;
    } else if (incident.status === 'resolved') {
      if (!mayReopen(deps, alert, incident, now)) {
        // The key still points at a resolved incident: its resolution was cut short before the
        // key was freed (or a reopen died after holding it for the next run). Free it and claim
        // again, so this alert opens a new incident.
        await deps.store.releaseDedupKey(key, incident.id, currentRun(incident) + 1);
        continue;
      }
      const run = currentRun(incident) + 1;
      // Held for the new run before the reopen is written, and a resolution frees the key only for
      // its own run or later: whichever of a resolution's release and this reopen comes second
      // sees the other (one conditional write each, no transaction), so a reopened incident never
      // loses its key. Refused: the key was freed or taken meanwhile; look again.
      if (!(await deps.store.holdDedupKeyForRun(key, incident.id, run))) continue;
      const reopened = await deps.store.transition(incident.id, ['resolved'], {
        status: 'open',
        reopenedAt: now,
        reopenCount: (incident.reopenCount ?? 0) + 1,
        ladderRun: run,
        reopenedRun: run,
        lastAlertAt: now,
        // The run's trigger time is now this alert's (removed when it has none).
        triggerSenderTime: alert.senderTime,
        // No longer resolved: the resolution it had is on the timeline (and in the reopen entry).
        resolvedAt: undefined,
        resolvedBy: undefined,
        resolveSenderTime: undefined,
        resolveReceivedAt: undefined,
        reopenedAfterResolutionAt: incident.resolvedAt,
        // Nor acknowledged: nobody has answered the new run's pages yet, and the status-update
        // reminders must go to the primary now, not to who had it before (named in the reopen entry).
        acknowledgedAt: undefined,
        acknowledgedBy: undefined,
        reopenedAfterAcknowledgement: incident.acknowledgedAt
          ? { at: incident.acknowledgedAt, ...(incident.acknowledgedBy ? { by: incident.acknowledgedBy } : {}) }
          : undefined,
      });
      if (!reopened) continue; // someone else moved it first: look again
      incident = reopened;
      reopenedNow = true;
    }

    // The 'opened' entry is written beside the escalation start (neither needs the other), and
    // before the execution is recorded: until then any delivery for the incident writes it again
    // (once: it is keyed), which repairs a crash that cut it short. Any delivery, not only the
    // opener's redelivery: another delivery of the same alarm (its EventBridge and SNS copies) may
    // record the execution first, and after that nothing would write the entry the opener lost.
    const escalate = needsEscalation(incident);
    const opening =
      escalate && currentRun(incident) === 0
        ? background(recordOpening(deps, incident, incident.firstDeliveryId === alert.deliveryId ? route : undefined))
        : undefined;
    if (escalate)
      incident = await escalateUnlessInMaintenance(deps, incident, alert, { maintenance, createdNow, opening });
    await opening;
    if (createdNow) return { outcome: 'opened', incident };
    if (reopenedNow) return { outcome: 'reopened', incident };
    if (incident.firstDeliveryId === alert.deliveryId) return { outcome: 'deduplicated', incident };

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

/** Alarms flap; an Events v2 sender expects PagerDuty's rule that a trigger after resolve opens a new incident. */
const REOPENING_SOURCES = new Set<Alert['source']>(['cloudwatch', 'alertmanager']);

function mayReopen(deps: IntakeDeps, alert: Alert, incident: Incident, now: string): boolean {
  if (!REOPENING_SOURCES.has(alert.source) || !incident.resolvedAt) return false;
  const windowSeconds = parseDurationSeconds(alertPolicyFor(deps.config, incident.severity).reopenWindow) ?? 0;
  const sinceResolved = Date.parse(now) - Date.parse(incident.resolvedAt);
  return sinceResolved >= 0 && sinceResolved < windowSeconds * 1000;
}

/**
 * Which incident the alert belongs to: the one its dedup key points at; else, when the key is
 * free, the incident it last opened if that resolved within the reopen window (claimed for it,
 * so concurrent duplicates agree); else a new id. Claiming is a conditional put: one id wins.
 * `fresh` says the id was generated and claimed by this call, so no incident has it yet.
 *
 * A source that never reopens claims a new id straight away: a new incident costs one write
 * instead of a read and a write, and a repeat costs the refused write and the read.
 *
 * A trigger sent before the resolve that ended the latest incident (staleTrigger) claims nothing:
 * that incident is returned as read (`incident`), for the caller to note the trigger on it.
 */
async function incidentForKey(
  deps: IntakeDeps,
  alert: Alert,
  key: string,
  now: string,
): Promise<{ incidentId: string; fresh: boolean; incident?: Incident }> {
  const reopens = REOPENING_SOURCES.has(alert.source) && deps.records !== undefined;
  if (reopens) {
    const holder = await deps.store.findByDedupKey(key);
    if (holder) return { incidentId: holder, fresh: false };
  }
  let candidateId: string | undefined;
  if (reopens && deps.records) {
    const latestId = await deps.records.latest(key);
    const latest = latestId ? await deps.store.getIncident(latestId) : undefined;
    if (latest && staleTrigger(alert, latest)) return { incidentId: latest.id, fresh: false, incident: latest };
    if (latest?.status === 'resolved' && mayReopen(deps, alert, latest, now)) candidateId = latest.id;
  }
  const generated = candidateId === undefined;
  candidateId ??= deps.ids.next();
  const claim = await deps.store.claimDedupKey(key, candidateId, now);
  return claim.claimed ? { incidentId: candidateId, fresh: generated } : { incidentId: claim.incidentId, fresh: false };
}

/**
 * Starts a read or write now and awaits it later; a rejection is still seen by whoever awaits
 * it, and is not reported as unhandled if an earlier step failed first.
 */
function background<T>(work: Promise<T> | undefined): Promise<T> | undefined {
  work?.catch(() => undefined);
  return work;
}

/** No ladder yet, or the recorded one is of an earlier run (a reopen, or a re-plan cut short). */
const needsEscalation = (incident: Incident): boolean => !recordsCurrentRun(incident);

function draftIncident(alert: Alert, id: string, now: string, route: RouteDecision): Incident {
  return {
    id,
    title: alert.title,
    severity: route.severity,
    status: 'open',
    service: route.service,
    dedupKey: alert.dedupKey,
    source: alert.source,
    // Kept so the incident's resolution frees the very key this alert claimed (scopedDedupKey).
    integration: alert.integration,
    summary: alert.summary,
    openedAt: now,
    drill: alert.drill === true,
    alertCount: 1,
    lastAlertAt: now,
    details: { ...alert.details, alertTime: alert.occurredAt },
    ...(alert.context ? { context: alert.context } : {}),
    ...(alert.group ? { alertGroup: alert.group } : {}),
    firstDeliveryId: alert.deliveryId,
    ...(alert.senderTime ? { triggerSenderTime: alert.senderTime } : {}),
  };
}

/**
 * Written from the stored incident, not from the alert at hand, so a repair by another delivery
 * says what the opener would have said. The route is not stored on the incident: only the
 * opener's own routing decision (`openerRoute`) names the rule and a defaulted severity.
 */
async function recordOpening(deps: CoreDeps, incident: Incident, openerRoute?: RouteDecision): Promise<void> {
  await deps.store.appendTimeline(incident.id, 'opened', {
    at: incident.openedAt,
    type: 'opened',
    by: `alarm:${incident.source}`,
    message: `Opened by ${incident.source}: ${incident.summary}`,
    ...(incident.firstDeliveryId ? { deliveryId: incident.firstDeliveryId } : {}),
    ...(openerRoute?.rule ? { route: openerRoute.rule } : {}),
  });
  if (openerRoute?.severityNote) {
    await deps.store.appendTimeline(incident.id, 'severity-defaulted', {
      at: incident.openedAt,
      type: 'severity-defaulted',
      message: openerRoute.severityNote,
    });
  }
}

/**
 * Alerts for a service in maintenance are kept (the incident and its timeline) but page nobody:
 * the escalation is not started. The first alert for the incident after the window ends starts
 * it, with the ladder planned from that moment, so the held hours do not fire all at once.
 */
async function escalateUnlessInMaintenance(
  deps: IntakeDeps,
  incident: Incident,
  alert: Alert,
  /**
   * The service's window if already being read; `createdNow`: this call wrote the incident, so
   * nothing held it; `opening`: the 'opened' entry under way, finished before the execution is recorded.
   */
  known: { maintenance?: Promise<MaintenanceWindow | undefined>; createdNow: boolean; opening?: Promise<unknown> },
): Promise<Incident> {
  const now = deps.clock.now();
  if (incident.reopenCount && incident.reopenedAt) {
    // Written here rather than beside the reopening write, so a retry after a crash in between adds it.
    const window = alertPolicyFor(deps.config, incident.severity).reopenWindow;
    const acknowledged = incident.reopenedAfterAcknowledgement;
    const previousAcknowledgement = acknowledged
      ? {
          previousAcknowledgedAt: acknowledged.at,
          ...(acknowledged.by ? { previousAcknowledgedBy: acknowledged.by } : {}),
        }
      : {};
    await deps.store.appendTimeline(incident.id, `reopened#${incident.reopenCount}`, {
      at: incident.reopenedAt,
      type: 'reopened',
      by: `alarm:${alert.source}`,
      ...previousAcknowledgement,
      message: `Reopened: the alert came back within the ${window} reopen window after the resolution at ${incident.reopenedAfterResolutionAt ?? 'its last resolution'}${acknowledged ? `; it had been acknowledged by ${acknowledged.by ?? 'someone'} at ${acknowledged.at}, and waits for a new acknowledgement` : ''}`,
    });
    // Beside its timeline entry and on every retry: delivered at least once, like the others.
    await deps.events.publish([
      lifecycleEvent('reopened', incident, incident.reopenedAt, {
        reopenCount: incident.reopenCount,
        ...(incident.reopenedAfterResolutionAt ? { previousResolvedAt: incident.reopenedAfterResolutionAt } : {}),
        ...previousAcknowledgement,
      }),
    ]);
  }
  const window = await (known.maintenance ?? deps.records?.getMaintenance(incident.service));
  // Per run: a reopen inside a window is held (and recorded) again; one outside it is not late.
  const heldKey = runTimelineKey(HELD_FOR_MAINTENANCE, currentRun(incident));
  if (isInForce(window, now)) {
    await deps.store.appendTimeline(incident.id, heldKey, {
      at: now.toISOString(),
      type: 'maintenance',
      message: `Service ${incident.service} is in maintenance until ${window.endsAt}${window.reason ? ` (${window.reason})` : ''}: recorded, nobody paged`,
    });
    return incident;
  }
  const held = !known.createdNow && (await deps.store.hasTimelineEntry(incident.id, heldKey));
  const ladderStart = held ? now.toISOString() : unrecordedLadderStart(incident);
  return startEscalation(deps, incident, ladderStart, known.opening);
}

export function escalationInputFor(
  deps: Pick<CoreDeps, 'config'>,
  incident: Incident,
  ladderStart = ladderStartOf(incident),
): EscalationInput {
  const run = currentRun(incident);
  // A re-planned ladder (escalate now, severity change, reassign) is stored: start exactly that.
  if (incident.ladderPlan?.run === run) {
    const { incidentId, severity, openedAt, steps, executionName } = incident.ladderPlan;
    return { incidentId, severity, openedAt, steps, executionName };
  }
  const steps = planLadder(deps.config.severityPolicy[incident.severity], ladderStart);
  if (!run) return { incidentId: incident.id, severity: incident.severity, openedAt: ladderStart, steps };
  return {
    incidentId: incident.id,
    severity: incident.severity,
    openedAt: ladderStart,
    steps: steps.map((step) => ({ ...step, run })),
    executionName: runExecutionName(incident.id, run),
  };
}

async function startEscalation(
  deps: CoreDeps,
  incident: Incident,
  ladderStart: string,
  opening?: Promise<unknown>,
): Promise<Incident> {
  const input = escalationInputFor(deps, incident, ladderStart);
  // A re-plan cut short leaves the earlier run's ladder recorded (and maybe running): stop it.
  if (incident.executionArn) await deps.escalation.stop(incident.executionArn, `Superseded by ${input.executionName}`);
  const { executionArn } = await deps.escalation.start(input);
  const run = currentRun(incident);
  // All before the ARN is recorded, so a crash before it repeats them on retry: the entries are
  // keyed (written once per run) and the event is published at least once. Incident Opened only
  // with run 0's ladder (a new incident, or a held one whose window has ended): a reopen has
  // published Incident Reopened, and a re-plan cut short is no new incident either.
  await Promise.all([
    opening,
    deps.store.appendTimeline(incident.id, runTimelineKey('escalation-started', run), {
      at: deps.clock.now().toISOString(),
      type: 'escalation-started',
      message: `Escalation started: ${input.steps.length} step(s) for ${incident.severity}`,
      executionArn,
    }),
    run === 0 ? deps.events.publish([lifecycleEvent('opened', incident, incident.openedAt)]) : undefined,
  ]);
  // The start goes with the ARN: re-plans and a restart plan from it (a held ladder's is not openedAt).
  await deps.store.setExecutionArn(incident.id, executionArn, input.openedAt);
  return { ...incident, executionArn, ladderStartedAt: input.openedAt };
}

/**
 * A sender's acknowledge or resolve timed before the alert that opened or last reopened the
 * incident belongs to an earlier run: SNS redelivers a failed OK for hours, EventBridge and SNS
 * deliver the same change twice, and the older OK must not end the run a newer ALARM started (nor
 * stop its ladder). Only the sender's own times are compared; an alert without one (an Events v2
 * acknowledge or resolve never has one) acts on the open incident, as on PagerDuty.
 */
export function predatesCurrentRun(alert: Pick<Alert, 'senderTime'>, incident: Incident): boolean {
  if (!alert.senderTime || !incident.triggerSenderTime) return false;
  const sent = Date.parse(alert.senderTime);
  const triggered = Date.parse(incident.triggerSenderTime);
  // Equal times are the same state change (its EventBridge and SNS copies): not older. An
  // unreadable time compares false, so the alert acts as it did before times were compared.
  return sent < triggered;
}

/**
 * A trigger the sender timed before the resolve that ended the incident was sent before that
 * resolve: a redelivery or a late copy (EventBridge or SNS delivering an older ALARM after the
 * OK), which must not reopen the incident nor open a new one that no resolve will ever close.
 *
 * Equal times are the very alert the resolve ended (a resolved Alertmanager alert carries its
 * firing's startsAt), and that alert can come back for two reasons. Received before the resolve
 * (Lambda retrying an inbox chunk kept from before it, or two notifications' chunks received out of
 * order), it is stale. Received after, it is the sender saying the alert fires again: when
 * Prometheus stops reaching Alertmanager for longer than the alert's endsAt, Alertmanager resolves
 * it itself, and when Prometheus sends it again it keeps its startsAt; ignoring that would leave a
 * firing problem without a page. Where either receipt time is unknown, equal times are stale.
 *
 * Only the sender's own times are compared; an Events v2 resolve carries none, so a trigger after
 * it opens a new incident, as on PagerDuty.
 */
export function staleTrigger(alert: Pick<Alert, 'action' | 'senderTime' | 'receivedAt'>, incident: Incident): boolean {
  if (alert.action !== 'trigger' || incident.status !== 'resolved') return false;
  if (!alert.senderTime || !incident.resolveSenderTime) return false;
  const sent = Date.parse(alert.senderTime);
  const ended = Date.parse(incident.resolveSenderTime);
  // An unreadable time compares false: the trigger acts.
  if (Number.isNaN(sent) || Number.isNaN(ended) || sent > ended) return false;
  if (sent < ended || !alert.receivedAt || !incident.resolveReceivedAt) return true;
  return Date.parse(alert.receivedAt) < Date.parse(incident.resolveReceivedAt);
}

/** Noted on the timeline (once per delivery), otherwise ignored: nobody is paged, the sender is told. */
async function ignoreStaleTrigger(deps: CoreDeps, alert: Alert, incident: Incident): Promise<IntakeOutcome> {
  await deps.store.appendTimeline(incident.id, `alert-ignored#${alert.deliveryId}`, {
    at: deps.clock.now().toISOString(),
    type: 'alert',
    by: alert.actor,
    message: `Ignored a trigger from ${alert.source} sent at ${alert.senderTime}: not after the resolve sent at ${incident.resolveSenderTime} that ended this incident`,
    deliveryId: alert.deliveryId,
  });
  return { outcome: 'stale', incident };
}

async function actOnOpenIncident(deps: CoreDeps, alert: Alert): Promise<IntakeOutcome> {
  const incidentId = await deps.store.findByDedupKey(scopedDedupKey(alert));
  if (!incidentId) return { outcome: 'no-open-incident', dedupKey: alert.dedupKey };
  const ignoreIf = (incident: Incident) => predatesCurrentRun(alert, incident);
  if (alert.action === 'acknowledge') {
    try {
      const result = await acknowledgeIncident(deps, incidentId, alert.actor, { ignoreIf });
      if (result.reason === IGNORED) return ignoreStale(deps, alert, result.incident);
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
    ignoreIf,
    ...(alert.senderTime ? { senderTime: alert.senderTime } : {}),
    ...(alert.receivedAt ? { receivedAt: alert.receivedAt } : {}),
  });
  if (result.reason === IGNORED) return ignoreStale(deps, alert, result.incident);
  return { outcome: result.changed ? 'resolved' : 'unchanged', incident: result.incident };
}

/** Noted on the timeline (once per delivery), otherwise ignored; the sender is told it was taken. */
async function ignoreStale(deps: CoreDeps, alert: Alert, incident: Incident): Promise<IntakeOutcome> {
  const run = incident.reopenCount ? 'last reopened' : 'opened';
  await deps.store.appendTimeline(incident.id, `alert-ignored#${alert.deliveryId}`, {
    at: deps.clock.now().toISOString(),
    type: 'alert',
    by: alert.actor,
    message: `Ignored ${alert.action === 'resolve' ? 'a resolve' : 'an acknowledge'} from ${alert.source} sent at ${alert.senderTime}: older than the alert at ${incident.triggerSenderTime} that ${run} this incident`,
    deliveryId: alert.deliveryId,
  });
  return { outcome: 'unchanged', incident };
}
