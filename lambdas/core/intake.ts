/**
 * What an alert does to incidents: a trigger opens one, or joins the open one with the same
 * dedup key; an acknowledge or resolve from the sender moves that incident on.
 *
 * What a trigger does is one pure decision (decideTrigger: the incident the key leads to, the
 * alert, the time, the policy and the service's maintenance window in; what to write out); the
 * rest of this module reads what it needs and carries the decision out (runs.ts says what a run
 * is, run-control.ts starts it).
 *
 * Correct under concurrent duplicates and crash-retry with single-item conditional writes only
 * (no transactions: dynalite has none):
 *  1. the dedup record is claimed with a conditional put, so one incident id wins the key;
 *  2. whoever finds the key claimed but the incident missing (its creator crashed, or is still
 *     writing) writes it with put-if-absent: the first writer's incident stands;
 *  3. a run's ladder is started only once its entries are written, by whoever finds it not seen
 *     started; its execution name is fixed (`<id>-r<n>`), so a second start is harmless;
 *  4. a reopen holds the dedup key for its new episode before it is written, and a resolution
 *     frees the key only if no later episode holds it, so a reopen racing a resolution keeps its key.
 * A sender that got a 5xx retries and the retry completes whatever step was missing.
 *
 * A delivery the sender identifies (alert.identifiedDelivery) is recorded as processed and never
 * acts again: a signed SNS message replayed after its incident resolved must not reopen it and
 * page again. It is recorded beside its ladder's start (an opening), or once everything else is
 * done (a repeat too: its count guards only while the incident is open); a replay finishes a start
 * that failed, so no retry is refused work it still has to do.
 */
import { type Alert, scopedDedupKey } from './alert.js';
import { LOST_RACE, readDecideWrite } from './conditional-writes.js';
import type { KlaxonConfig } from './config.js';
import { alertPolicyFor } from './config-lookups.js';
import { parseDurationSeconds } from './duration.js';
import type { Incident } from './incident.js';
import { MAINTENANCE_ENDED } from './intake-invocations.js';
import type { IntakeRecordDeps, MaintenanceWindow, ProcessedDelivery } from './intake-records.js';
import { lifecycleEvent } from './lifecycle-events.js';
import { isInForce, maintenanceScheduleName } from './maintenance.js';
import type { CoreDeps, OneTimeSchedules } from './ports.js';
import { TransitionRefusedError } from './refusals.js';
import { acknowledgeIncident, IGNORED, resolveIncident } from './responder-actions.js';
import { type RouteDecision, routeAlert } from './routing.js';
import { startRun, tierLadder } from './run-control.js';
import { awaitsStart, firstRun, nextRun, type Run, runKey } from './runs.js';

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

/** Without `records` (maintenance windows) every service is taken as out of maintenance. */
export type IntakeDeps = CoreDeps & Partial<IntakeRecordDeps>;

export async function receiveAlert(deps: IntakeDeps, alert: Alert): Promise<IntakeOutcome> {
  const records = alert.identifiedDelivery ? deps.records : undefined;
  // Read beside the work's first call, whose writes (a claim) a replay leaves harmless; nothing else
  // is written before it is known.
  const replay = background(records?.processedDelivery(alert.deliveryId));
  const delivery: DeliveryRecord = {
    replay,
    record: records
      ? (result) =>
          records.recordProcessedDelivery({
            deliveryId: alert.deliveryId,
            at: deps.clock.now().toISOString(),
            outcome: result.outcome,
            ...('incident' in result ? { incidentId: result.incident.id } : {}),
          })
      : undefined,
  };
  const result = await act(deps, alert, delivery);
  // An opening was recorded beside its ladder's start (carryOutRun). A repeat is recorded too: its
  // count guards only while the incident is open, and a replay after the resolution would reopen it.
  if (result.outcome !== 'already-processed' && result.outcome !== 'opened') await delivery.record?.(result);
  return result;
}

/** The delivery's replay check, under way, and how to record it as processed. */
interface DeliveryRecord {
  replay?: Promise<ProcessedDelivery | undefined>;
  record?: (result: IntakeOutcome) => Promise<void>;
}

/**
 * A replay does nothing, except finish what its first processing may have left: the delivery is
 * recorded beside its ladder's start, so a start that failed is made now.
 */
async function replayed(deps: IntakeDeps, alert: Alert, processed: ProcessedDelivery): Promise<IntakeOutcome> {
  const incident = processed.incidentId ? await deps.store.getIncident(processed.incidentId) : undefined;
  if (!incident) return { outcome: 'already-processed', dedupKey: alert.dedupKey };
  const finished = awaitsStart(incident.run) ? await startRun(deps, incident, { markStarted: false }) : incident;
  return { outcome: 'already-processed', incident: finished };
}

function act(deps: IntakeDeps, alert: Alert, delivery: DeliveryRecord): Promise<IntakeOutcome> {
  switch (alert.action) {
    case 'trigger':
      return trigger(deps, alert, delivery);
    case 'acknowledge':
    case 'resolve':
      return actOnOpenIncident(deps, alert, delivery);
  }
}

/** What a trigger does, decided from what was read (decideTrigger); intake only carries it out. */
export type TriggerDecision =
  /** A new incident, with its first run (held when its service is in maintenance); its number is allotted then. */
  | { kind: 'open'; draft: Omit<Incident, 'number'> }
  /** The resolved incident opens again, with a new run and episode. */
  | { kind: 'reopen'; changes: Partial<Incident> & { run: Run } }
  /** The key still leads to a resolved incident that may not reopen: free the key and look again. */
  | { kind: 'free-key' }
  /** Sent before the resolve that ended the incident: noted, nothing else. */
  | { kind: 'stale' }
  /** The alert joins the incident; `endHold`: the maintenance window that held its run is over. */
  | { kind: 'join'; endHold?: Run };

export interface TriggerFacts {
  config: KlaxonConfig;
  alert: Alert;
  now: string;
  route: RouteDecision;
  /** The incident the dedup key leads to; absent: a new incident gets `newId`. */
  incident?: Incident;
  newId: string;
  /** The maintenance window of the incident's service (of the route's, for a new one). */
  window?: MaintenanceWindow;
}

/**
 * The whole rule of a trigger, as a pure function of what was read. A ladder planned now is held
 * instead while the service is in maintenance; the run that ends the hold plans from that moment,
 * so the held hours do not fire all at once.
 */
export function decideTrigger(facts: TriggerFacts): TriggerDecision {
  const { alert, now, incident } = facts;
  const by = `alarm:${alert.source}`;
  const inForce = isInForce(facts.window, new Date(now));
  const ladderOrHold = (id: string, team: string, severity: Incident['severity'], run: number) =>
    inForce && facts.window
      ? { held: { until: facts.window.endsAt, ...(facts.window.reason ? { reason: facts.window.reason } : {}) } }
      : tierLadder(facts.config, id, team, severity, now, run);
  if (!incident) {
    const run = firstRun({
      by,
      at: now,
      ladder: ladderOrHold(facts.newId, facts.route.team, facts.route.severity, 1),
      delivery: alert.deliveryId,
    });
    return { kind: 'open', draft: draftIncident(alert, facts.newId, now, facts.route, run) };
  }
  if (staleTrigger(alert, incident)) return { kind: 'stale' };
  if (incident.status === 'resolved') {
    if (!mayReopen(facts.config, alert, incident, now)) return { kind: 'free-key' };
    const run = nextRun(incident.run, 'reopened', {
      by,
      at: now,
      delivery: alert.deliveryId,
      ladder: ladderOrHold(incident.id, incident.team, incident.severity, incident.run.number + 1),
      undid: {
        ...(incident.resolvedAt ? { resolvedAt: incident.resolvedAt } : {}),
        ...(incident.acknowledgedAt ? { acknowledgedAt: incident.acknowledgedAt } : {}),
        ...(incident.acknowledgedBy ? { acknowledgedBy: incident.acknowledgedBy } : {}),
      },
    });
    return {
      kind: 'reopen',
      changes: {
        status: 'open',
        run,
        reopenedAt: now,
        lastAlertAt: now,
        // The episode's trigger time is now this alert's (removed when it has none).
        triggerSenderTime: alert.senderTime,
        // Neither resolved nor acknowledged: the resolution is on the timeline and in the run's
        // `undid`; nobody has answered the new episode's pages, and its status-update reminders go
        // to the primary, not to whoever had it before.
        resolvedAt: undefined,
        resolvedBy: undefined,
        resolveSenderTime: undefined,
        resolveReceivedAt: undefined,
        acknowledgedAt: undefined,
        acknowledgedBy: undefined,
      },
    };
  }
  if (incident.run.held && !inForce) return { kind: 'join', endHold: planHoldEnd(facts.config, incident, now, by) };
  return { kind: 'join' };
}

/**
 * The run that ends a maintenance hold: the tier's ladder from `now`, so the held hours do not
 * fire all at once. Taken by one conditional write on the run (of the window's end and an alert
 * after it, one wins).
 */
export function planHoldEnd(config: KlaxonConfig, incident: Incident, now: string, by: string): Run {
  const ladder = tierLadder(config, incident.id, incident.team, incident.severity, now, incident.run.number + 1);
  return nextRun(incident.run, 'maintenance-ended', { by, at: now, ladder });
}

export type HeldLaddersResult =
  /** A newer window is in force: its end was scheduled again, nothing started. */
  { outcome: 'still-in-force'; endsAt: string } | { outcome: 'started'; incidents: string[] };

/**
 * A maintenance window's end: every unresolved incident of the service whose run it held starts
 * its ladder from now, once (the same conditional transition as an alert after the window: of
 * the two, one starts it). A run this decided whose start a crash cut short is started again by
 * the schedule's retry.
 */
export async function startHeldLadders(
  deps: IntakeDeps & { schedules: OneTimeSchedules },
  service: string,
): Promise<HeldLaddersResult> {
  const window = await deps.records?.getMaintenance(service);
  if (isInForce(window, deps.clock.now())) {
    // Fired early, or the window was replaced by a longer one whose schedule lost a race: again at its end.
    await deps.schedules.schedule(maintenanceScheduleName(service), new Date(window.endsAt), {
      target: 'intake',
      payload: { klaxon: MAINTENANCE_ENDED, service },
    });
    return { outcome: 'still-in-force', endsAt: window.endsAt };
  }
  const started: string[] = [];
  for (const status of ['open', 'acknowledged'] as const) {
    let cursor: string | undefined;
    do {
      const page = await deps.store.listByStatus(status, { limit: 100, service, ...(cursor ? { cursor } : {}) });
      for (const listed of page.incidents) {
        if (await endHold(deps, listed)) started.push(listed.id);
      }
      cursor = page.next;
    } while (cursor !== undefined);
  }
  return { outcome: 'started', incidents: started };
}

/** Ends one incident's hold (or finishes a hold's end a crash cut short); false when there was none. */
async function endHold(deps: IntakeDeps, listed: Incident): Promise<boolean> {
  return readDecideWrite(`Incident ${listed.id}`, async () => {
    const incident = (await deps.store.getIncident(listed.id)) ?? listed;
    if (incident.status === 'resolved') return false;
    if (incident.run.cause === 'maintenance-ended' && awaitsStart(incident.run)) {
      await startRun(deps, incident, { alongside: [publishOpened(deps, incident)] });
      return true;
    }
    if (!incident.run.held) return false;
    const now = deps.clock.now().toISOString();
    const run = planHoldEnd(deps.config, incident, now, 'klaxon');
    const ended = await deps.store.transition(
      incident,
      ['open', 'acknowledged'],
      { run },
      { run: incident.run.number },
    );
    if (!ended) return LOST_RACE;
    await startRun(deps, ended, { alongside: [publishOpened(deps, ended)] });
    return true;
  });
}

/** Incident Opened goes with the first ladder of its first episode (a held one's when its window ends). */
async function publishOpened(deps: CoreDeps, incident: Incident): Promise<void> {
  const { run } = incident;
  if (!run.ladder || run.episode !== 1 || (run.cause !== 'opened' && run.cause !== 'maintenance-ended')) return;
  await deps.events.publish([lifecycleEvent('opened', incident, incident.openedAt)]);
}

async function trigger(deps: IntakeDeps, alert: Alert, delivery: DeliveryRecord): Promise<IntakeOutcome> {
  const key = scopedDedupKey(alert);
  const route = routeAlert(deps.config, alert);
  // Read beside the dedup key: a new incident needs it, and then it costs no round trip.
  const routeWindow = background(deps.records?.getMaintenance(route.service));
  const windowOf = (service: string) =>
    service === route.service ? routeWindow : deps.records?.getMaintenance(service);
  return readDecideWrite(`Dedup key ${key}`, async () => {
    const now = deps.clock.now().toISOString();
    const [found, processed] = await Promise.all([incidentForKey(deps, alert, key, now), delivery.replay]);
    if (processed) {
      // Claimed beside the check: a key this replay took for a new id must not point at nothing.
      if (found !== LOST_RACE && found.fresh) await deps.store.releaseDedupKey(key, found.incidentId, 1);
      return replayed(deps, alert, processed);
    }
    if (found === LOST_RACE) return LOST_RACE;
    let incident = found.incident;
    if (!found.fresh && !incident) {
      // A plain repeat of an incident whose ladder walks is counted in one write, nothing read first.
      const repeat = await deps.store.countRepeat(
        found.incidentId,
        { deliveryId: alert.deliveryId, at: now, summary: alert.summary },
        { whileWalking: true },
      );
      if (repeat.counted) return { outcome: 'deduplicated', incident: repeat.incident };
      if (repeat.before && repeat.incident && alert.identifiedDelivery) {
        return { outcome: 'already-processed', incident: repeat.incident };
      }
      // Not a plain repeat, or not counted: decide on the incident as the write found it. An id
      // this call has just generated and claimed (`fresh`) names no incident yet: nothing to read.
      incident = repeat.incident;
    }
    const needsWindow = !incident || incident.status === 'resolved' || incident.run.held !== undefined;
    const window = needsWindow ? await windowOf(incident?.service ?? route.service) : undefined;
    const decision = decideTrigger({
      config: deps.config,
      alert,
      now,
      route,
      incident,
      newId: found.incidentId,
      window,
    });
    switch (decision.kind) {
      case 'stale':
        return ignoreStaleTrigger(deps, alert, incident as Incident);
      case 'free-key': {
        // The key still leads to a resolved incident: its resolution was cut short before the key
        // was freed (or a reopen died after holding it for the next run). Free it and claim again,
        // so this alert opens a new incident.
        const resolved = incident as Incident;
        await deps.store.releaseDedupKey(key, resolved.id, resolved.run.number + 1);
        return LOST_RACE;
      }
      case 'open': {
        // Allotted only now that the alert opens an incident: a duplicate never burns a number.
        const opening: Incident = { ...decision.draft, number: await deps.store.allotIncidentNumber() };
        // Written beside the run's entries and event (all keyed or at least once), so the sender
        // waits for four round trips: the claim, the number, these, the start.
        const writing = deps.store.createIncident(opening).then((written) => {
          // Someone else wrote the incident this key claimed first: join theirs.
          if (!written.created) throw new JoinTheirs();
        });
        try {
          const opened = await carryOutRun(deps, opening, alert, route, writing, (incident) =>
            delivery.record?.({ outcome: 'opened', incident }),
          );
          return { outcome: 'opened', incident: opened };
        } catch (error) {
          if (error instanceof JoinTheirs) return LOST_RACE;
          throw error;
        }
      }
      case 'reopen': {
        const resolved = incident as Incident;
        // Held for the new episode before the reopen is written, and a resolution frees the key
        // only for its own episode or later: whichever of a resolution's release and this reopen
        // comes second sees the other (one conditional write each, no transaction), so a reopened
        // incident never loses its key. Refused: the key was freed or taken meanwhile; look again.
        if (!(await deps.store.holdDedupKeyForRun(key, resolved.id, decision.changes.run.number))) return LOST_RACE;
        const reopened = await deps.store.transition(resolved, ['resolved'], decision.changes, {
          run: resolved.run.number,
        });
        if (!reopened) return LOST_RACE;
        return { outcome: 'reopened', incident: await carryOutRun(deps, reopened, alert) };
      }
      case 'join': {
        let joined = incident as Incident;
        if (decision.endHold) {
          const ended = await deps.store.transition(
            joined,
            ['open', 'acknowledged'],
            { run: decision.endHold },
            { run: joined.run.number },
          );
          if (!ended) return LOST_RACE;
          joined = ended;
        }
        // A run the decider did not see through (a crash) is finished by whoever sees it. A run seen
        // started has nothing left (startRun starts only once everything else is written); a held
        // one has no start to tell, so its deciding delivery's retry writes its entries again.
        const heldRetry = joined.run.held !== undefined && joined.run.delivery === alert.deliveryId;
        if (awaitsStart(joined.run) || heldRetry) {
          joined = await carryOutRun(
            deps,
            joined,
            alert,
            joined.firstDeliveryId === alert.deliveryId ? route : undefined,
          );
        }
        // The delivery that opened or reopened it, again (a sender's retry), is no repeat.
        if (joined.firstDeliveryId === alert.deliveryId || joined.run.delivery === alert.deliveryId) {
          return { outcome: 'deduplicated', incident: joined };
        }
        const repeat = await deps.store.countRepeat(
          joined.id,
          { deliveryId: alert.deliveryId, at: now, summary: alert.summary },
          { whileWalking: false },
        );
        return { outcome: 'deduplicated', incident: repeat.incident ?? joined };
      }
    }
  });
}

/** The incident this call meant to write exists already: decide again on theirs. */
class JoinTheirs extends Error {}

/**
 * Carries out the incident's current run as decided: its timeline entries and event, then its
 * ladder's start unless it is held. Everything here is idempotent (entries keyed, the start named,
 * events delivered at least once), so a retry after a crash does it again safely. The start is
 * not marked here: the run's first page task marks it, which keeps the sender's answer four
 * round trips away (claim, number, incident, start). `writing`: the incident's own write, done alongside.
 */
async function carryOutRun(
  deps: IntakeDeps,
  incident: Incident,
  alert: Alert,
  openerRoute?: RouteDecision,
  writing?: Promise<void>,
  withStart?: (incident: Incident) => Promise<unknown> | undefined,
): Promise<Incident> {
  const { run } = incident;
  const work: Promise<unknown>[] = writing ? [writing] : [];
  if (run.cause === 'opened') work.push(recordOpening(deps, incident, openerRoute));
  if (run.cause === 'reopened') work.push(recordReopening(deps, incident, alert));
  if (run.held) {
    work.push(
      deps.store.appendTimeline(incident.id, runKey('held-for-maintenance', run.number), {
        at: run.at,
        type: 'maintenance',
        message: `Service ${incident.service} is in maintenance until ${run.held.until}${run.held.reason ? ` (${run.held.reason})` : ''}: recorded, nobody paged`,
      }),
    );
  }
  work.push(publishOpened(deps, incident));
  return startRun(deps, incident, { markStarted: false, alongside: work, withStart: () => withStart?.(incident) });
}

/** Alarms flap; an Events v2 sender expects PagerDuty's rule that a trigger after resolve opens a new incident. */
const REOPENING_SOURCES = new Set<Alert['source']>(['cloudwatch', 'alertmanager']);

function mayReopen(config: KlaxonConfig, alert: Alert, incident: Incident, now: string): boolean {
  if (!REOPENING_SOURCES.has(alert.source) || !incident.resolvedAt) return false;
  const windowSeconds = parseDurationSeconds(alertPolicyFor(config, incident.severity).reopenWindow) ?? 0;
  const sinceResolved = Date.parse(now) - Date.parse(incident.resolvedAt);
  return sinceResolved >= 0 && sinceResolved < windowSeconds * 1000;
}

/**
 * Which incident the alert belongs to, in one conditional put when the key is free or held: the
 * unresolved incident its dedup key points at (the refusal says which); else a new id, claimed.
 * `fresh` says the id was generated and claimed by this call, so no incident has it yet.
 *
 * A key a resolution freed still names that incident. A sender that never reopens claims over it
 * straight away. For one that reopens, that incident decides: a trigger sent before its resolve
 * (staleTrigger) claims nothing and is returned with it, for the caller to note it there; one
 * within its reopen window claims the key for it (so concurrent duplicates agree), and any other a
 * new id. LOST_RACE: the key changed hands meanwhile; look again.
 */
async function incidentForKey(
  deps: IntakeDeps,
  alert: Alert,
  key: string,
  now: string,
): Promise<{ incidentId: string; fresh: boolean; incident?: Incident } | typeof LOST_RACE> {
  const reopens = REOPENING_SOURCES.has(alert.source);
  const newId = deps.ids.next();
  const claim = await deps.store.claimDedupKey(key, newId, now, reopens ? undefined : 'any');
  if (claim.claimed) return { incidentId: newId, fresh: true };
  if (!('released' in claim)) return { incidentId: claim.incidentId, fresh: false };
  if (!claim.released) return LOST_RACE;
  const latest = await deps.store.getIncident(claim.released);
  if (latest && staleTrigger(alert, latest)) return { incidentId: latest.id, fresh: false, incident: latest };
  const reopen = latest?.status === 'resolved' && mayReopen(deps.config, alert, latest, now) ? latest : undefined;
  const again = await deps.store.claimDedupKey(key, reopen?.id ?? newId, now, { released: claim.released });
  if (!again.claimed) return LOST_RACE;
  return reopen ? { incidentId: reopen.id, fresh: false, incident: reopen } : { incidentId: newId, fresh: true };
}

/**
 * Starts a read or write now and awaits it later; a rejection is still seen by whoever awaits
 * it, and is not reported as unhandled if an earlier step failed first.
 */
function background<T>(work: Promise<T> | undefined): Promise<T> | undefined {
  work?.catch(() => undefined);
  return work;
}

function draftIncident(
  alert: Alert,
  id: string,
  now: string,
  route: RouteDecision,
  run: Run,
): Omit<Incident, 'number'> {
  return {
    id,
    title: alert.title,
    severity: route.severity,
    status: 'open',
    service: route.service,
    team: route.team,
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
    run,
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
 * Written when the reopen is carried out (and again by a retry that finds its run not started), with
 * the event beside it: both delivered at least once.
 */
async function recordReopening(deps: CoreDeps, incident: Incident, alert: Alert): Promise<void> {
  const { run } = incident;
  const window = alertPolicyFor(deps.config, incident.severity).reopenWindow;
  const undid = run.undid ?? {};
  const previousAcknowledgement = undid.acknowledgedAt
    ? {
        previousAcknowledgedAt: undid.acknowledgedAt,
        ...(undid.acknowledgedBy ? { previousAcknowledgedBy: undid.acknowledgedBy } : {}),
      }
    : {};
  await Promise.all([
    deps.store.appendTimeline(incident.id, runKey('reopened', run.number), {
      at: run.at,
      type: 'reopened',
      by: `alarm:${alert.source}`,
      ...previousAcknowledgement,
      message: `Reopened: the alert came back within the ${window} reopen window after the resolution at ${undid.resolvedAt ?? 'its last resolution'}${undid.acknowledgedAt ? `; it had been acknowledged by ${undid.acknowledgedBy ?? 'someone'} at ${undid.acknowledgedAt}, and waits for a new acknowledgement` : ''}`,
    }),
    deps.events.publish([
      lifecycleEvent('reopened', incident, run.at, {
        episode: run.episode,
        ...(undid.resolvedAt ? { previousResolvedAt: undid.resolvedAt } : {}),
        ...previousAcknowledgement,
      }),
    ]),
  ]);
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

async function actOnOpenIncident(deps: IntakeDeps, alert: Alert, delivery: DeliveryRecord): Promise<IntakeOutcome> {
  const [incidentId, processed] = await Promise.all([
    deps.store.findByDedupKey(scopedDedupKey(alert)),
    delivery.replay,
  ]);
  if (processed) return replayed(deps, alert, processed);
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
  const run = incident.reopenedAt ? 'last reopened' : 'opened';
  await deps.store.appendTimeline(incident.id, `alert-ignored#${alert.deliveryId}`, {
    at: deps.clock.now().toISOString(),
    type: 'alert',
    by: alert.actor,
    message: `Ignored ${alert.action === 'resolve' ? 'a resolve' : 'an acknowledge'} from ${alert.source} sent at ${alert.senderTime}: older than the alert at ${incident.triggerSenderTime} that ${run} this incident`,
    deliveryId: alert.deliveryId,
  });
  return { outcome: 'unchanged', incident };
}
