/**
 * Acknowledge and resolve, whoever asks (HTTP API, an integration's acknowledge/resolve event,
 * an alarm back to OK). Each step is idempotent so a retried request finishes what a crashed
 * one started.
 */

import { scopedDedupKey } from './alert.js';
import { LOST_RACE, readDecideWrite } from './conditional-writes.js';
import { tierOf } from './config-lookups.js';
import type { Incident, TimelineEntry, TransitionDecision } from './incident.js';
import {
  type ActedVia,
  acknowledgedEntry,
  decideAcknowledge,
  decideResolve,
  incidentNumberOf,
  resolvedEntry,
} from './incident.js';
import { lifecycleEvent } from './lifecycle-events.js';
import type { CoreDeps } from './ports.js';
import { IncidentNotFoundError, TransitionRefusedError } from './refusals.js';
import { planPostmortemReminders } from './reminders.js';
import { stopRun } from './run-control.js';
import { runKey } from './runs.js';

/**
 * The incident id a person's reference names: an id as it is, or the incident with that short
 * number (`142`, `#142`), which must exist.
 */
export async function incidentIdFor(
  store: Pick<CoreDeps['store'], 'findByNumber'>,
  reference: string,
): Promise<string> {
  const number = incidentNumberOf(reference);
  if (number === undefined) return reference;
  const incident = await store.findByNumber(number);
  if (!incident) throw new IncidentNotFoundError(`No incident #${number}`);
  return incident.id;
}

export type ActionResult = { incident: Incident; changed: boolean; reason?: string };

type Decide = (incident: Incident, at: string) => TransitionDecision;

/** The key that makes a transition's timeline entry idempotent; `incident` is as the decision saw it. */
type TimelineKey = (entry: TimelineEntry, at: string, incident: Incident) => string;

/**
 * Once per episode: a reopened incident is acknowledged and resolved again, and those entries must
 * not be taken for duplicates of the earlier episode's.
 */
const oncePerEpisode: TimelineKey = (entry, _at, incident) => runKey(entry.type, incident.run.episode);

/**
 * Reads, decides, writes conditionally; on a lost race, reads again and decides again.
 * `timelineKey` makes the entry's write idempotent: once per episode for acknowledged and resolved,
 * by type and time for updates that can happen again. `followUp` (events, stopping the ladder)
 * runs between the status write and the entry, so the entry marks the transition complete: a
 * crash before it leaves it missing, and a retry finds the status written but the entry absent
 * and finishes the follow-up (finishInterrupted).
 */
export async function applyTransition(
  deps: CoreDeps,
  incidentId: string,
  decide: Decide,
  options: { timelineKey?: TimelineKey; followUp?: (updated: Incident) => Promise<void> } = {},
): Promise<ActionResult> {
  const timelineKey = options.timelineKey ?? oncePerEpisode;
  return readDecideWrite(`Incident ${incidentId}`, async () => {
    const incident = await deps.store.getIncident(incidentId);
    if (!incident) throw new IncidentNotFoundError(`No incident with id ${incidentId}`);
    const at = deps.clock.now().toISOString();
    const decision = decide(incident, at);
    if (decision.kind === 'refused') throw new TransitionRefusedError(decision.reason);
    if (decision.kind === 'unchanged') return { incident, changed: false, reason: decision.reason };
    // Decided on this episode: a reopen landing before the write makes it a decision about an
    // earlier one (a stale resolve must not end the new one), so the write is refused and decided again.
    const updated = await deps.store.transition(incident, decision.from, decision.changes, {
      episode: incident.run.episode,
    });
    if (!updated) return LOST_RACE;
    await options.followUp?.(updated);
    await deps.store.appendTimeline(incidentId, timelineKey(decision.entry, at, incident), decision.entry);
    return { incident: updated, changed: true };
  });
}

/**
 * The status is already what was asked: either a genuine duplicate (this episode's entry is there),
 * or a retry after a crash between the status write and its entry. Then the follow-up is done
 * now and the entry written after it; true says this call finished the transition.
 */
async function finishInterrupted(
  deps: CoreDeps,
  incident: Incident,
  entry: TimelineEntry,
  followUp: (incident: Incident) => Promise<void>,
): Promise<boolean> {
  const key = oncePerEpisode(entry, entry.at, incident);
  if (await deps.store.hasTimelineEntry(incident.id, key)) return false;
  await followUp(incident);
  await deps.store.appendTimeline(incident.id, key, entry);
  return true;
}

/**
 * The reason an action is left undone because `ignoreIf` held for the incident as read: decided on
 * the same read the write is conditioned on, so a reopen in between cannot slip past it.
 */
export const IGNORED = 'ignored';

/**
 * `ignoreIf`: an alert sender's action that belongs to an earlier episode (see predatesCurrentRun).
 * `via`: how the person acted, when the timeline should say (an SMS reply).
 */
type ActionOptions = { ignoreIf?: (incident: Incident) => boolean; via?: ActedVia };

const unlessIgnored =
  (options: ActionOptions, decide: Decide): Decide =>
  (incident, at) =>
    options.ignoreIf?.(incident) ? { kind: 'unchanged', reason: IGNORED } : decide(incident, at);

export async function acknowledgeIncident(
  deps: CoreDeps,
  incidentId: string,
  by: string,
  options: ActionOptions = {},
): Promise<ActionResult> {
  const publish = (incident: Incident) =>
    deps.events.publish([lifecycleEvent('acknowledged', incident, incident.acknowledgedAt ?? '')]);
  const decide = unlessIgnored(options, (incident, at) => decideAcknowledge(incident, by, at, options.via));
  const result = await applyTransition(deps, incidentId, decide, { followUp: publish });
  const { incident } = result;
  if (result.changed || result.reason === IGNORED || incident.status !== 'acknowledged') return result;
  // The entry names who did acknowledge, whoever retries.
  const entry = acknowledgedEntry(
    incident.acknowledgedBy ?? by,
    incident.acknowledgedAt ?? deps.clock.now().toISOString(),
  );
  if (await finishInterrupted(deps, incident, entry, publish)) return { incident, changed: true };
  return result;
}

/**
 * Resolves, then makes sure the ladder is stopped, the dedup key freed and the post-mortem
 * reminders started, and publishes the event; the timeline entry is written last. A retry that
 * finds the incident resolved without this episode's entry (a crash cut the resolution short)
 * finishes all of it and answers as the resolution it completed. An alert's resolve
 * (`refuseIfResolved: false`) also finishes the resolution of an incident already resolved.
 */
export async function resolveIncident(
  deps: CoreDeps,
  incidentId: string,
  by: string,
  /**
   * `senderTime`: the time an alert sender put on its resolve, and `receivedAt`: when Klaxon
   * received it; both kept with the resolution (see staleTrigger).
   */
  options: { note?: string; refuseIfResolved: boolean; senderTime?: string; receivedAt?: string } & ActionOptions,
): Promise<ActionResult> {
  const followUp = async (incident: Incident) => {
    await finishResolution(deps, incident);
    await deps.events.publish([lifecycleEvent('resolved', incident, incident.resolvedAt ?? '')]);
  };
  const decide = unlessIgnored(options, (incident, at) => {
    const decision = decideResolve(incident, by, at, options.note, options.via);
    // In the resolving write itself, so a crash after it cannot leave the resolution without it.
    return decision.kind === 'apply' && options.senderTime
      ? {
          ...decision,
          changes: {
            ...decision.changes,
            resolveSenderTime: options.senderTime,
            ...(options.receivedAt ? { resolveReceivedAt: options.receivedAt } : {}),
          },
        }
      : decision;
  });
  try {
    return await applyTransition(deps, incidentId, decide, { followUp });
  } catch (error) {
    if (!(error instanceof TransitionRefusedError)) throw error;
    const incident = await deps.store.getIncident(incidentId);
    if (!incident) throw error;
    // Reopened since the refusal: a new run, which this resolve must not stop.
    const resolved = incident.status === 'resolved';
    if (resolved) {
      const resolvedBy = incident.resolvedBy ?? by;
      // The note is the retried request's own only when it is the same person's.
      const note = resolvedBy === by ? options.note : undefined;
      const entry = resolvedEntry(incident, resolvedBy, incident.resolvedAt ?? deps.clock.now().toISOString(), note);
      if (await finishInterrupted(deps, incident, entry, followUp)) return { incident, changed: true };
    }
    if (options.refuseIfResolved) throw error;
    // Idempotent, and repairs an incident resolved before its entry was written last.
    if (resolved) await finishResolution(deps, incident);
    return { incident, changed: false, reason: error.message };
  }
}

export async function finishResolution(deps: CoreDeps, incident: Incident): Promise<void> {
  // The run's execution, and the one it superseded if a re-plan was cut short before stopping it.
  await stopRun(deps, incident.run, `Incident ${incident.id} resolved`);
  // Only if no reopen has held the key for a later run since this one was resolved: an alarm back
  // in ALARM between the status write and this release reopens this very incident, which must
  // keep its key (else its next alert opens and pages a second incident).
  await deps.store.releaseDedupKey(scopedDedupKey(incident), incident.id, incident.run.episode);
  // Idempotent: the execution is named after the incident and its episode.
  const postmortem = planPostmortemReminders(tierOf(deps.config, incident), incident);
  if (postmortem) await deps.postmortems.start(postmortem);
}
