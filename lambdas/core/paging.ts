/**
 * One escalation step: resolve the step's roles in the incident's team to people now (so a handoff during an open
 * incident pages the new person), render each person's message and publish it to their topic.
 * Invoked by the state machine's "Page the responders" task, which retries on failure; a
 * person already paged for this step is not paged again by the retry.
 */
import { ackLink, signAckToken } from './ack-tokens.js';
import type { Channel, KlaxonConfig, Responder, Role } from './config.js';
import { responderById, tierOf } from './config-lookups.js';
import { BACKUP_ROLE, PHONE_CHANNELS } from './config-terms.js';
import type { Incident } from './incident.js';
import { type EscalationStep, latestDueStep } from './ladder.js';
import { lifecycleEvent } from './lifecycle-events.js';
import { type Roster, rosterOf } from './overrides.js';
import type { IncidentStore, PageRef, PagingDeps } from './ports.js';
import { onCallFor } from './rotations.js';
import {
  deliveryFailedKey,
  deliveryFailedPrefix,
  fallbackPageKey,
  pageFailedKey,
  pageKey,
  stepPagesPrefix,
  unreachableKey,
} from './runs.js';
import { type RenderContext, renderPage } from './templates.js';

export interface PageStepRequest {
  incidentId: string;
  step: EscalationStep;
  /** The state machine's fallback after the page task's retries ran out (see pageFallback). */
  fallback?: boolean;
  /** The page task's last error, recorded on the timeline. */
  failure?: string;
}

export interface PageStepResult {
  paged: string[];
  /**
   * The incident is resolved: the state machine's ladder ends on it. The task, not a read of its
   * own in the state machine, says so: each state is a billed transition.
   */
  resolved: boolean;
  skipped?: string;
  /** Fallback only: the people the step could not reach by its own channels. */
  failed?: string[];
}

export class PageDeliveryError extends Error {
  override name = 'PageDeliveryError';
}

/**
 * The people filling the team's `roles` at `at` (rotations and overrides, those made at run time
 * included, resolved now, not when the incident opened).
 */
export function whoFills(config: KlaxonConfig, roster: Roster, roles: Role[], at: Date): Responder[] {
  const people = new Map<string, Responder>();
  for (const role of roles) {
    const responder = responderById(config, onCallFor(roster.team, role, at, roster.covers));
    if (responder) people.set(responder.id, responder);
  }
  return [...people.values()];
}

/** The step's roles in the incident's team resolved now, plus anyone it names by id (a reassigned incident's new assignee). */
export function stepPeople(config: KlaxonConfig, roster: Roster, step: EscalationStep, at: Date): Responder[] {
  const people = new Map(whoFills(config, roster, step.notify, at).map((responder) => [responder.id, responder]));
  for (const id of step.responders ?? []) {
    const responder = responderById(config, id);
    if (responder) people.set(responder.id, responder);
  }
  return [...people.values()];
}

const whom = (step: EscalationStep) => (step.notify.length > 0 ? step.notify.join(', ') : 'assignee');

/**
 * The step a ladder owes when its execution is replaced (a re-plan stops it; a `--data` restart
 * lost it): the latest step due at `now`, when nobody was paged for it in its run. The execution
 * pages a step seconds after it falls due (the Wait, then the page task; more on a cold
 * start or a retry), so a replacement in that window must take the step over or nobody pages it.
 * Not owed when an acknowledgement or resolve made it moot (the page task would skip it too).
 * One rule for restarts and re-plans; see planResume for why earlier due steps are not owed.
 */
export async function owedStep(
  store: Pick<IncidentStore, 'timelineEntries'>,
  incident: Pick<Incident, 'id' | 'status'>,
  steps: EscalationStep[],
  now: Date,
): Promise<EscalationStep | undefined> {
  const latest = latestDueStep(steps, now);
  if (!latest || whyStepIsMoot(incident, latest)) return undefined;
  const pages = await store.timelineEntries(incident.id, stepPagesPrefix(latest));
  return pages.length > 0 ? undefined : latest;
}

/**
 * The incident, or why the step no longer pages: an acknowledgement or resolve makes a step moot
 * whenever it lands, before its page or before its fallback.
 */
async function incidentToPage(
  deps: PagingDeps,
  { incidentId, step }: PageStepRequest,
): Promise<Incident | PageStepResult> {
  const incident = await deps.store.getIncident(incidentId);
  if (!incident) throw new PageDeliveryError(`Incident ${incidentId} does not exist; nothing to page`);
  // Intake leaves this to the run's first page task, to answer its sender sooner (run-control.ts);
  // marked whether or not the step still pages, or every later repeat would start the run again.
  if (incident.run.number === step.run && !incident.run.startedAt && incident.status !== 'resolved') {
    await deps.store.markRunStarted(incidentId, step.run, deps.clock.now().toISOString());
  }
  const moot = whyStepIsMoot(incident, step);
  return moot ? { paged: [], resolved: incident.status === 'resolved', skipped: moot } : incident;
}

/** Why a step no longer needs its pages: a resolution ends every step, an acknowledgement 'unless acknowledged' ones. */
function whyStepIsMoot(incident: Pick<Incident, 'status'>, step: Pick<EscalationStep, 'unless'>): string | undefined {
  if (incident.status === 'resolved') return 'incident resolved';
  if (step.unless === 'acknowledged' && incident.status === 'acknowledged') return 'incident acknowledged';
  return undefined;
}

export async function pageStep(deps: PagingDeps, request: PageStepRequest): Promise<PageStepResult> {
  if (request.fallback) return pageFallback(deps, request);
  const { incidentId, step } = request;
  const incident = await incidentToPage(deps, request);
  if ('paged' in incident) return incident;
  const paged: string[] = [];
  const failures: string[] = [];
  const roster = await rosterOf(deps, incident.team);
  for (const responder of stepPeople(deps.config, roster, step, deps.clock.now())) {
    const key = pageKey(step, responder.id);
    if (await deps.store.hasTimelineEntry(incidentId, key)) continue;
    const message = renderPage(incident, step, await renderContext(deps, incident, step, responder));
    const page = pageRef(incident, step, { responder, channels: step.channels });
    try {
      await deps.pager.page({ responder, incidentId, page, ...message });
    } catch (error) {
      failures.push(`${responder.id}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    const at = deps.clock.now().toISOString();
    // Before the timeline entry: a retry skips people already in the timeline, so mark first.
    if (step.index > 0) await deps.store.markEscalated(incidentId, at);
    await recordPage(deps, incident, step, { responder, as: whom(step), channels: step.channels, key }, at);
    paged.push(responder.id);
  }
  // Past the first step, paging someone means the incident went up the ladder. A retried task can
  // publish this again; consumers dedupe on incident, step and kind (docs/lifecycle-events.md).
  if (step.index > 0 && paged.length > 0) {
    await deps.events.publish([
      lifecycleEvent('escalated', incident, deps.clock.now().toISOString(), {
        step: step.index,
        run: step.run,
        roles: step.notify,
      }),
    ]);
  }
  // Failing the task makes the state machine retry it; those already paged are skipped then.
  if (failures.length > 0) throw new PageDeliveryError(`Could not page ${failures.join('; ')}`);
  return { paged, resolved: false };
}

/** Publishes one page and records it; false when the publish failed (the error goes into `failures`). */
async function deliver(
  deps: PagingDeps,
  incident: Incident,
  step: EscalationStep,
  target: PageTarget,
  failures: string[],
): Promise<boolean> {
  const message = renderPage(
    incident,
    { ...step, channels: target.channels },
    await renderContext(deps, incident, step, target.responder),
  );
  try {
    const page = pageRef(incident, step, target);
    await deps.pager.page({ responder: target.responder, incidentId: incident.id, page, ...message });
  } catch (error) {
    failures.push(`${target.responder.id} by ${target.channels.join('+')}: ${errorText(error)}`);
    return false;
  }
  await recordPage(deps, incident, step, target, deps.clock.now().toISOString());
  return true;
}

/** What one page reached: its timeline entry and its "paged" lifecycle event say the same. */
interface PageTarget {
  responder: Responder;
  /** The role (or roles) they were paged as, for the timeline. */
  as: string;
  channels: Channel[];
  /** The page's timeline key. */
  key: string;
  /** The person this page stood in for, when it is a fallback. */
  fallbackFor?: string;
}

const pageRef = (
  incident: Pick<Incident, 'id'>,
  step: Pick<EscalationStep, 'run' | 'index'>,
  target: Pick<PageTarget, 'responder' | 'channels' | 'fallbackFor'>,
): PageRef => ({
  incidentId: incident.id,
  run: step.run,
  step: step.index,
  responder: target.responder.id,
  channels: target.channels,
  ...(target.fallbackFor ? { fallbackFor: target.fallbackFor } : {}),
});

/** Records a page that went out: the timeline entry, then the "paged" lifecycle event. */
async function recordPage(deps: PagingDeps, incident: Incident, step: EscalationStep, target: PageTarget, at: string) {
  const instead = target.fallbackFor ? ` instead of ${target.fallbackFor}` : '';
  await deps.store.appendTimeline(incident.id, target.key, {
    at,
    type: 'paged',
    by: 'klaxon',
    responder: target.responder.id,
    channels: target.channels,
    step: step.index,
    ...(target.fallbackFor ? { fallbackFor: target.fallbackFor } : {}),
    message: `Paged ${target.responder.name} (${target.as}) by ${target.channels.join(' and ')}${instead}`,
  });
  await deps.events.publish([
    lifecycleEvent('paged', incident, at, {
      responder: target.responder.id,
      channels: target.channels,
      step: step.index,
      run: step.run,
      ...(target.fallbackFor ? { fallbackFor: target.fallbackFor } : {}),
    }),
  ]);
}

/**
 * Each person's message carries their own signed ack link, of the step's run: a reopened
 * incident's page must not carry the link its first run's page did, already used.
 */
async function renderContext(
  deps: PagingDeps,
  incident: Incident,
  step: Pick<EscalationStep, 'run'>,
  responder: Responder,
): Promise<RenderContext> {
  const context: RenderContext = {
    apiBaseUrl: deps.apiBaseUrl,
    tier: tierOf(deps.config, incident),
    ...(deps.smsReplies ? { smsReplies: true } : {}),
  };
  if (!deps.ackKey) return context;
  const token = signAckToken(
    await deps.ackKey.key(),
    { incidentId: incident.id, run: step.run, responderId: responder.id },
    deps.clock.now(),
  );
  return { ...context, ackLink: ackLink(deps.apiBaseUrl, token) };
}

const ringsPhone = (channels: readonly Channel[]) => channels.some((channel) => PHONE_CHANNELS.includes(channel));

/**
 * Who stands in for `missed`, up the backup chain from `backupRole`, on the step's channels and
 * email. One person can fill several roles: tried once, as the lowest of those roles.
 */
function backupChain(
  config: KlaxonConfig,
  roster: Roster,
  step: Pick<EscalationStep, 'channels'>,
  backupRole: Role | undefined,
  missed: Responder,
  at: Date,
): { responder: Responder; as: string; channels: Channel[] }[] {
  const chain: { responder: Responder; as: string; channels: Channel[] }[] = [];
  const seen = new Set<string>([missed.id]);
  for (let role = backupRole; role; role = BACKUP_ROLE[role]) {
    const backup = responderById(config, onCallFor(roster.team, role, at, roster.covers));
    if (!backup || seen.has(backup.id)) continue;
    seen.add(backup.id);
    chain.push({ responder: backup, as: role, channels: [...new Set<Channel>([...step.channels, 'email'])] });
  }
  return chain;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * After the page task's retries ran out: for each person of the step still not paged, record
 * the failure, then try email alone (when SMS or a call was among the channels with email: they
 * are the usual casualties of a spending limit or an opted-out number), then someone else up the backup chain (primary →
 * secondary → engineering manager → executive; a person the step names by id, a reassigned
 * incident's new assignee, starts at the primary on call). The chain skips anyone this step has
 * already paged, for themselves or in someone's place: their phone already rang for this step,
 * and paging them again would leave the person missed without a stand-in.
 *
 * Returns normally so the ladder goes on. When nobody at all could be reached for someone, it
 * records that on the timeline and throws: the page function's error alarm pages the operators,
 * and the state machine catches the error after its retries and goes on with the ladder, whose
 * later steps and status-update reminders may still reach people.
 */
export async function pageFallback(deps: PagingDeps, request: PageStepRequest): Promise<PageStepResult> {
  const { incidentId, step } = request;
  const incident = await incidentToPage(deps, request);
  if ('paged' in incident) return incident;

  const paged: string[] = [];
  const failed: string[] = [];
  const unreachable: string[] = [];
  const at = deps.clock.now();
  // Everyone this step's pages reached, in their own right or in someone's place (a retried
  // fallback reads the same set, so it makes the same choices).
  const stepPages = await deps.store.timelineEntries(incidentId, stepPagesPrefix(step));
  const reachedByStep = new Set(
    stepPages.map((entry) => entry.responder).filter((id): id is string => typeof id === 'string'),
  );
  // Whoever failed a full page in this call is not tried again in someone else's place.
  const failedInThisCall = new Set<string>();
  const missed: { responder: Responder; as: string; backupRole: Role | undefined }[] = [];
  // The backups are the incident's team's: another team's people never stand in.
  const roster = await rosterOf(deps, incident.team);
  for (const role of step.notify) {
    const responder = responderById(deps.config, onCallFor(roster.team, role, at, roster.covers));
    if (responder) missed.push({ responder, as: role, backupRole: BACKUP_ROLE[role] });
  }
  for (const id of step.responders ?? []) {
    const responder = responderById(deps.config, id);
    if (responder) missed.push({ responder, as: 'assignee', backupRole: 'primary' });
  }

  const handled = new Set<string>();
  for (const { responder, as, backupRole } of missed) {
    if (handled.has(responder.id)) continue;
    handled.add(responder.id);
    if (reachedByStep.has(responder.id)) continue;
    failed.push(responder.id);
    await deps.store.appendTimeline(incidentId, pageFailedKey(step, responder.id), {
      at: deps.clock.now().toISOString(),
      type: 'page-failed',
      by: 'klaxon',
      responder: responder.id,
      channels: step.channels,
      step: step.index,
      message: `Could not page ${responder.name} (${as}) by ${step.channels.join(' and ')}${request.failure ? `: ${request.failure}` : ''}`,
    });

    const failures: string[] = [];
    const fallbacks = [
      ...(ringsPhone(step.channels) && step.channels.includes('email')
        ? [{ responder, as, channels: ['email'] as Channel[] }]
        : []),
      ...backupChain(deps.config, roster, step, backupRole, responder, at),
    ];

    // A retried fallback that already reached someone in this person's place is done with them.
    let reached = stepPages.some((entry) => entry.fallbackFor === responder.id);
    for (const fallback of reached ? [] : fallbacks) {
      const key = fallbackPageKey(step, fallback.responder.id, responder.id);
      const backup = fallback.responder.id !== responder.id;
      if (backup && (reachedByStep.has(fallback.responder.id) || failedInThisCall.has(fallback.responder.id))) continue;
      if (await deliver(deps, incident, step, { ...fallback, key, fallbackFor: responder.id }, failures)) {
        paged.push(fallback.responder.id);
        reachedByStep.add(fallback.responder.id);
        reached = true;
        break;
      }
      if (backup) failedInThisCall.add(fallback.responder.id);
    }
    if (!reached) {
      await deps.store.appendTimeline(incidentId, unreachableKey(step, responder.id), {
        at: deps.clock.now().toISOString(),
        type: 'unreachable',
        by: 'klaxon',
        responder: responder.id,
        step: step.index,
        message: `Nobody could be reached in place of ${responder.name} (${as}): ${failures.join('; ') || 'nobody else to try'}. The ladder goes on; the page function's error alarm tells the operators.`,
      });
      unreachable.push(`${responder.id} (${failures.join('; ') || 'no fallback configured'})`);
    }
  }
  if (unreachable.length > 0) {
    throw new PageDeliveryError(`Nobody could be reached in place of ${unreachable.join(', ')}`);
  }
  return { paged, resolved: false, failed };
}

/** A page that went out but did not arrive, as End User Messaging reported it (delivery-events.ts). */
export interface DeliveryFailure {
  page: PageRef;
  channel: Channel;
  /** The message End User Messaging reported: one failure entry per message, however often reported. */
  messageId: string;
  /** Its event type and description, for the timeline. */
  reason: string;
}

export interface DeliveryFailureResult {
  paged: string[];
  skipped?: string;
}

/**
 * A page that left Klaxon but that the carrier or the phone did not take falls back as a page
 * that could not be sent does (pageFallback), up the backup chain from the role the person was
 * paged as, past anyone this step reached (its email, when the step has one, already went). Delivery events arrive seconds to hours late and may repeat: the failure is recorded
 * once per message, and a fallback page already made for the person ends it, so a repeated or
 * retried event pages nobody twice. Nothing happens once the step is moot (acknowledged,
 * resolved) or its run was replaced (a re-plan's own ladder pages), unless the re-plan took the
 * step over as it owed it.
 */
export async function pageAfterDeliveryFailure(
  deps: PagingDeps,
  failure: DeliveryFailure,
): Promise<DeliveryFailureResult> {
  const { page } = failure;
  const incident = await deps.store.getIncident(page.incidentId);
  if (!incident) return { paged: [], skipped: `incident ${page.incidentId} does not exist` };
  // The current ladder's step of the page's run: a re-plan keeps the step it owes in the stopped
  // run (replan.ts), so that step's pages still belong to the ladder that walks now.
  const step = incident.run.ladder?.steps.find(
    (candidate) => candidate.index === page.step && candidate.run === page.run,
  );
  if (!step) {
    return {
      paged: [],
      skipped:
        incident.run.number === page.run
          ? `run ${page.run} has no step ${page.step}`
          : `run ${page.run} was replaced by run ${incident.run.number}`,
    };
  }
  const moot = whyStepIsMoot(incident, step);
  if (moot) return { paged: [], skipped: moot };
  const failed = responderById(deps.config, page.responder);
  const missed = responderById(deps.config, page.fallbackFor ?? page.responder);
  if (!failed || !missed) return { paged: [], skipped: `${page.responder} is no longer a responder` };

  const what = failure.channel === 'voice' ? 'call' : failure.channel === 'sms' ? 'SMS' : 'email';
  await deps.store.appendTimeline(incident.id, deliveryFailedKey(step, failed.id, failure.messageId), {
    at: deps.clock.now().toISOString(),
    type: 'delivery-failed',
    by: 'klaxon',
    responder: failed.id,
    channels: [failure.channel],
    step: step.index,
    message: `The ${what} to ${failed.name} was not delivered: ${failure.reason}`,
  });

  const at = deps.clock.now();
  // The backups are the incident's team's: another team's people never stand in.
  const roster = await rosterOf(deps, incident.team);
  const as = roleOf(roster, step, missed, at);
  // pageFallback's first resort, the person by email alone, is spent: a step with email sent it
  // with the page that failed. What is left is its second, the backup chain.
  const candidates = backupChain(deps.config, roster, step, as === 'assignee' ? 'primary' : BACKUP_ROLE[as], missed, at)
    .filter((backup) => backup.responder.id !== failed.id)
    .map((candidate) => ({ ...candidate, key: fallbackPageKey(step, candidate.responder.id, missed.id) }));
  for (const candidate of candidates) {
    if (await deps.store.hasTimelineEntry(incident.id, candidate.key)) {
      return { paged: [], skipped: `${candidate.responder.id} was already paged in place of ${missed.id}` };
    }
  }
  const stepPages = await deps.store.timelineEntries(incident.id, stepPagesPrefix(step));
  const undelivered = new Set(
    (await deps.store.timelineEntries(incident.id, deliveryFailedPrefix(step))).map((entry) => entry.responder),
  );
  const reachedByStep = new Set(
    stepPages.map((entry) => entry.responder).filter((id) => typeof id === 'string' && !undelivered.has(id)),
  );
  const failures: string[] = [];
  for (const candidate of candidates) {
    if (reachedByStep.has(candidate.responder.id)) continue;
    if (await deliver(deps, incident, step, { ...candidate, fallbackFor: missed.id }, failures)) {
      return { paged: [candidate.responder.id] };
    }
  }
  await deps.store.appendTimeline(incident.id, unreachableKey(step, missed.id), {
    at: deps.clock.now().toISOString(),
    type: 'unreachable',
    by: 'klaxon',
    responder: missed.id,
    step: step.index,
    message: `Nobody could be reached in place of ${missed.name} (${as}): ${failures.join('; ') || 'nobody else to try'}. The ladder goes on; the page function's error alarm tells the operators.`,
  });
  throw new PageDeliveryError(
    `Nobody could be reached in place of ${missed.id} (${failures.join('; ') || 'no fallback configured'})`,
  );
}

/** The role the step paged this person as now, or `assignee` for a person it names by id. */
function roleOf(roster: Roster, step: EscalationStep, person: Responder, at: Date): Role | 'assignee' {
  return (
    step.notify.find((role) => onCallFor(roster.team, role, at, roster.covers) === person.id) ??
    (step.responders?.includes(person.id) ? 'assignee' : (step.notify[0] ?? 'assignee'))
  );
}
