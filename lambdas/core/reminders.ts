/**
 * Reminders: a status update while an incident is unresolved (the tier's `statusUpdateEvery`),
 * and the post-mortem after it resolved (the tier's `postmortemDue`). The decisions are pure, with
 * the time passed in; the use cases read the incident, decide, send and record. Status-update
 * reminders run on one-time schedules (no state machine spins for them): each ladder page task
 * schedules the next look, and each look schedules the one after it. The post-mortem reminders are
 * the post-mortem reminder machine's tasks.
 *
 * The timeline is the record: each reminder is a timeline entry with an idempotent key, and the
 * next reminder counts from the newest of them, so a retried or repeated look never reminds twice
 * for the same quiet spell. A look's schedule is named by its time, so the page tasks and the
 * looks that plan the same next look plan one schedule, not two.
 */
import { createHash } from 'node:crypto';
import type { Channel, KlaxonConfig, Responder, TierPolicy } from './config.js';
import { responderById, tierOf } from './config-lookups.js';
import { parseDurationSeconds } from './duration.js';
import type { Incident } from './incident.js';
import { lifecycleEvent } from './lifecycle-events.js';
import { type Roster, rosterOf } from './overrides.js';
import { STATUS_UPDATE_LOOK } from './page-kinds.js';
import { whoFills } from './paging.js';
import type { OneTimeSchedules, PagingDeps, PostmortemReminderInput } from './ports.js';
import { postmortemExecutionName, postmortemReminderKey } from './runs.js';
import {
  type PostmortemReminderStage,
  type RenderContext,
  renderPostmortemReminder,
  renderStatusUpdateReminder,
} from './templates.js';

/** Timeline key prefixes: notes are posted by people, reminders by Klaxon. */
export const NOTE_KEY_PREFIX = 'note#';
export const STATUS_REMINDER_KEY_PREFIX = 'reminded#status-update#';

const latest = (times: (string | undefined)[]) =>
  times.filter((at): at is string => typeof at === 'string' && at !== '').reduce((a, b) => (a > b ? a : b));

export interface StatusUpdateFacts {
  incident: Incident;
  /** The tier's interval in seconds; undefined when the tier asks for no status updates. */
  everySeconds: number | undefined;
  /** When notes (status updates) were posted. */
  noteTimes: string[];
  /** When Klaxon sent status-update reminders. */
  reminderTimes: string[];
  now: Date;
}

export type StatusUpdateDecision =
  | { kind: 'none'; reason: string }
  | { kind: 'wait'; dueAt: string; lastUpdateAt: string }
  | { kind: 'remind'; dueAt: string; lastUpdateAt: string };

/**
 * A status update is due `every` after the newest of: the (re)opening, the start of its ladder
 * (a maintenance window that held the page ends after the opening), the acknowledgement, the last
 * note and the last reminder. Never once the incident is resolved, nor while a maintenance window
 * holds its page, nor for a tier without an interval.
 */
export function decideStatusUpdateReminder(facts: StatusUpdateFacts): StatusUpdateDecision {
  const { incident, everySeconds } = facts;
  if (incident.status === 'resolved') return { kind: 'none', reason: 'incident resolved' };
  // Nobody was paged, so nobody is asked for an update: the window's end starts the ladder, whose
  // page tasks plan the looks again. A look planned before a reopening it held ends here.
  if (incident.run.held) return { kind: 'none', reason: 'a maintenance window holds its page' };
  if (!everySeconds || everySeconds <= 0) {
    return { kind: 'none', reason: `${incident.severity} asks for no status updates` };
  }
  const lastUpdateAt = latest([
    incident.openedAt,
    incident.reopenedAt,
    incident.run.ladder?.openedAt,
    incident.acknowledgedAt,
    ...facts.noteTimes,
    ...facts.reminderTimes,
  ]);
  const dueAt = new Date(Date.parse(lastUpdateAt) + everySeconds * 1000).toISOString();
  return Date.parse(dueAt) <= facts.now.getTime()
    ? { kind: 'remind', dueAt, lastUpdateAt }
    : { kind: 'wait', dueAt, lastUpdateAt };
}

/**
 * Who is reminded: the person the incident was handed to, else whoever acknowledged it since it
 * last (re)opened (when that is a responder in the config), else the person in the primary role of
 * the incident's team now.
 */
export function whoToRemind(
  config: KlaxonConfig,
  roster: Roster,
  incident: Incident,
  at: Date,
  also?: string,
): Responder | undefined {
  for (const id of [incident.assignee, incident.acknowledgedBy, also]) {
    const responder = id ? responderById(config, id) : undefined;
    if (responder) return responder;
  }
  return whoFills(config, roster, ['primary'], at)[0];
}

/**
 * Status-update reminders go out the way the tier first pages (SMS and email for SEV1, email for
 * SEV2), in writing only: a reminder is never a call.
 */
export const statusReminderChannels = (tier: TierPolicy): Channel[] => {
  const written = (tier.ladder[0]?.channels ?? []).filter((channel) => channel !== 'voice');
  return written.length > 0 ? written : ['email'];
};

const tierInterval = (tier: TierPolicy, timeScale = 1) => {
  const seconds = tier.statusUpdateEvery ? parseDurationSeconds(tier.statusUpdateEvery) : undefined;
  return seconds === undefined ? undefined : seconds / timeScale;
};

export interface ReminderDeps extends PagingDeps {
  /** Where the next status-update look is scheduled. */
  schedules: OneTimeSchedules;
  /**
   * Local runtime only (`--time-scale`): reminder intervals pass this many times faster, like the
   * ladder's waits. 1 on AWS.
   */
  timeScale?: number;
}

export interface StatusUpdateLook {
  klaxon: typeof STATUS_UPDATE_LOOK;
  incidentId: string;
}

/**
 * One schedule per incident and look time: `su-`, the incident id, `-`, epoch ms. Scheduler names
 * hold 64 characters, which a ULID fits; a drill's own id may be 64 characters, so a longer name
 * carries a hash of the id instead.
 */
export function statusUpdateLookName(incidentId: string, at: string): string {
  const name = `su-${incidentId}-${Date.parse(at)}`;
  if (name.length <= 64) return name;
  return `su-${createHash('sha256').update(incidentId, 'utf8').digest('hex').slice(0, 40)}-${Date.parse(at)}`;
}

export interface StatusUpdateReminderResult {
  /** When the next look is scheduled; null ends the reminders (resolved, or a tier without status updates). */
  nextAt: string | null;
  reminded?: string;
}

export class ReminderDeliveryError extends Error {
  override name = 'ReminderDeliveryError';
}

async function statusUpdateDecision(deps: ReminderDeps, incident: Incident) {
  const everySeconds = tierInterval(tierOf(deps.config, incident), deps.timeScale);
  if (incident.status === 'resolved' || everySeconds === undefined) return undefined;
  const [notes, reminders] = await Promise.all([
    deps.store.timelineEntries(incident.id, NOTE_KEY_PREFIX),
    deps.store.timelineEntries(incident.id, STATUS_REMINDER_KEY_PREFIX),
  ]);
  const now = deps.clock.now();
  const decision = decideStatusUpdateReminder({
    incident,
    everySeconds,
    noteTimes: notes.map((entry) => entry.at),
    reminderTimes: reminders.map((entry) => entry.at),
    now,
  });
  return { decision, everySeconds, now };
}

async function scheduleLook(deps: ReminderDeps, incidentId: string, dueAt: string): Promise<string> {
  // On the whole second after the due time (time-scaled locally, like the interval): at() holds
  // whole seconds, and the look's name carries this time, so a look planned twice for one due time
  // is one schedule.
  const grainMs = Math.max(1, Math.round(1000 / (deps.timeScale ?? 1)));
  const at = new Date(Math.ceil(Date.parse(dueAt) / grainMs) * grainMs).toISOString();
  const look: StatusUpdateLook = { klaxon: STATUS_UPDATE_LOOK, incidentId };
  await deps.schedules.schedule(statusUpdateLookName(incidentId, at), new Date(at), {
    target: 'page',
    payload: { ...look },
  });
  return at;
}

/** How long after an overdue reminder a page task's own look comes (time-scaled locally). */
const OVERDUE_LOOK_AFTER_MS = 60_000;

/**
 * Called by each ladder page task of an unresolved incident: schedules the look at the next
 * status-update due time (the same schedule a look already planned, by name), so the reminders
 * start with the ladder and survive a look lost on the way. When a reminder is overdue, the look
 * planned for it may be reminding right now: this one comes a minute later, and finds it done
 * (and plans the next) or reminds late rather than never.
 */
export async function planStatusUpdateLook(
  deps: ReminderDeps,
  incident: Incident,
): Promise<StatusUpdateReminderResult> {
  const looked = await statusUpdateDecision(deps, incident);
  if (!looked || looked.decision.kind === 'none') return { nextAt: null };
  const at =
    looked.decision.kind === 'remind'
      ? new Date(looked.now.getTime() + OVERDUE_LOOK_AFTER_MS / (deps.timeScale ?? 1)).toISOString()
      : looked.decision.dueAt;
  return { nextAt: await scheduleLook(deps, incident.id, at) };
}

/** A scheduled look: remind if a status update is due, and schedule the next look. */
export async function remindStatusUpdate(
  deps: ReminderDeps,
  request: { incidentId: string },
): Promise<StatusUpdateReminderResult> {
  const incident = await deps.store.getIncident(request.incidentId);
  if (!incident) throw new ReminderDeliveryError(`Incident ${request.incidentId} does not exist; nobody to remind`);
  const looked = await statusUpdateDecision(deps, incident);
  if (!looked || looked.decision.kind === 'none') return { nextAt: null };
  const { decision, everySeconds, now } = looked;
  if (decision.kind === 'wait') return { nextAt: await scheduleLook(deps, incident.id, decision.dueAt) };
  try {
    return await sendStatusUpdateReminder(deps, incident, decision, everySeconds, now);
  } catch (error) {
    // Tried again five minutes on, on a five-minute grid so the retries of this look plan one look
    // between them, not one each; and failed loudly (the page function's error alarm).
    await scheduleLook(deps, incident.id, retrySlot(now, deps.timeScale));
    throw error;
  }
}

const RETRY_GRID_MS = 5 * 60_000;

const retrySlot = (now: Date, timeScale = 1) => {
  const grid = RETRY_GRID_MS / timeScale;
  return new Date(Math.ceil((now.getTime() + grid) / grid) * grid).toISOString();
};

async function sendStatusUpdateReminder(
  deps: ReminderDeps,
  incident: Incident,
  decision: Extract<StatusUpdateDecision, { kind: 'remind' }>,
  everySeconds: number,
  now: Date,
): Promise<StatusUpdateReminderResult> {
  const tier = tierOf(deps.config, incident);
  const responder = whoToRemind(deps.config, await rosterOf(deps, incident.team), incident, now);
  if (!responder) throw new ReminderDeliveryError(`Nobody fills the primary role to remind for ${incident.id}`);
  const channels = statusReminderChannels(tier);
  const at = now.toISOString();
  const message = renderStatusUpdateReminder(
    incident,
    { lastUpdateAt: decision.lastUpdateAt, now: at, channels },
    renderContext(deps, tier),
  );
  await deps.pager.page({ responder, incidentId: incident.id, purpose: 'status-update-reminder', ...message });
  // Keyed by the due time: the next decision counts from this entry, so a retry finds nothing due.
  await deps.store.appendTimeline(incident.id, `${STATUS_REMINDER_KEY_PREFIX}${decision.dueAt}`, {
    at,
    type: 'reminded',
    by: 'klaxon',
    reminder: 'status-update',
    responder: responder.id,
    channels,
    message: `Reminded ${responder.name} to post a status update (none since ${decision.lastUpdateAt})`,
  });
  await deps.events.publish([
    lifecycleEvent('reminded', incident, at, { reminder: 'status-update', responder: responder.id, channels }),
  ]);
  const nextAt = await scheduleLook(deps, incident.id, new Date(now.getTime() + everySeconds * 1000).toISOString());
  return { nextAt, reminded: responder.id };
}

const renderContext = (deps: PagingDeps, tier: TierPolicy): RenderContext => ({ apiBaseUrl: deps.apiBaseUrl, tier });

const DAY_SECONDS = 86_400;

/**
 * What follows a resolution: the notice to those paged, and the post-mortem reminders when the
 * tier has a post-mortem deadline (not "optional" or "none"). Undefined while it is not resolved.
 */
export function planPostmortemReminders(tier: TierPolicy, incident: Incident): PostmortemReminderInput | undefined {
  if (!incident.resolvedAt) return undefined;
  const run = incident.run.episode;
  const plan: PostmortemReminderInput = {
    incidentId: incident.id,
    run,
    resolvedAt: incident.resolvedAt,
    executionName: postmortemExecutionName(incident.id, run),
  };
  const dueSeconds = parseDurationSeconds(tier.postmortemDue);
  if (!dueSeconds) return plan;
  const resolved = Date.parse(incident.resolvedAt);
  const before = Math.min(DAY_SECONDS, dueSeconds / 2);
  return {
    ...plan,
    remindAt: new Date(resolved + (dueSeconds - before) * 1000).toISOString(),
    dueAt: new Date(resolved + dueSeconds * 1000).toISOString(),
  };
}

export type PostmortemDecision = { kind: 'remind' } | { kind: 'stop'; reason: string };

/** Remind unless the post-mortem is done, or the incident reopened (its next resolution plans anew). */
export function decidePostmortemReminder(incident: Incident, run: number): PostmortemDecision {
  if (incident.status !== 'resolved' || incident.run.episode !== run) {
    return { kind: 'stop', reason: 'incident reopened' };
  }
  if (incident.postmortemDoneAt) return { kind: 'stop', reason: `post-mortem done at ${incident.postmortemDoneAt}` };
  return { kind: 'remind' };
}

export interface PostmortemReminderRequest {
  incidentId: string;
  run: number;
  stage: PostmortemReminderStage;
  dueAt: string;
}

export interface PostmortemReminderResult {
  /** False once there is nothing left to remind about: the state machine ends. */
  remindAgain: boolean;
  reminded?: string;
  skipped?: string;
}

/** The post-mortem reminder machine's task: remind the incident's owner unless the post-mortem is done. */
export async function remindPostmortem(
  deps: ReminderDeps,
  request: PostmortemReminderRequest,
): Promise<PostmortemReminderResult> {
  const incident = await deps.store.getIncident(request.incidentId);
  if (!incident) throw new ReminderDeliveryError(`Incident ${request.incidentId} does not exist; nobody to remind`);
  const decision = decidePostmortemReminder(incident, request.run);
  if (decision.kind === 'stop') return { remindAgain: false, skipped: decision.reason };

  const key = postmortemReminderKey(request.run, request.stage);
  const remindAgain = request.stage !== 'due';
  if (await deps.store.hasTimelineEntry(incident.id, key)) return { remindAgain, skipped: 'already reminded' };
  const now = deps.clock.now();
  const responder = whoToRemind(deps.config, await rosterOf(deps, incident.team), incident, now, incident.resolvedBy);
  if (!responder) throw new ReminderDeliveryError(`Nobody fills the primary role to remind for ${incident.id}`);
  const tier = tierOf(deps.config, incident);
  const message = renderPostmortemReminder(
    incident,
    { stage: request.stage, dueAt: request.dueAt },
    renderContext(deps, tier),
  );
  await deps.pager.page({ responder, incidentId: incident.id, purpose: 'postmortem-reminder', ...message });
  const at = now.toISOString();
  await deps.store.appendTimeline(incident.id, key, {
    at,
    type: 'reminded',
    by: 'klaxon',
    reminder: 'postmortem',
    stage: request.stage,
    responder: responder.id,
    channels: ['email'],
    message: `Reminded ${responder.name} that the post-mortem ${request.stage === 'due' ? 'is due now' : `is due by ${request.dueAt}`}`,
  });
  await deps.events.publish([
    lifecycleEvent('reminded', incident, at, {
      reminder: 'postmortem',
      stage: request.stage,
      dueAt: request.dueAt,
      responder: responder.id,
      channels: ['email'],
    }),
  ]);
  return { remindAgain, reminded: responder.id };
}
