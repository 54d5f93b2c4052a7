/**
 * What the core needs from the outside world. Adapters implement these for AWS (DynamoDB, Step
 * Functions, SNS, EventBridge) and the local runtime (dynalite, aws-local-stepfunctions, the
 * outbox); the core never imports an SDK.
 */
import type { AlertGroup } from './alert.js';
import type { ChatNotification } from './chat-notifications.js';
import type { Channel, KlaxonConfig, Responder, Severity } from './config.js';
import type { Incident, IncidentStatus, IncidentWithTimeline, TimelineEntry } from './incident.js';
import type { EscalationIdentity, EscalationInput } from './ladder.js';
import type { LifecycleEvent } from './lifecycle-events.js';
import type { TeamCover } from './rotations.js';

export interface Clock {
  now(): Date;
}

/**
 * What a claim found: the key is this call's now; or it points at an unresolved incident; or it
 * is free again and remembers the incident it last pointed at (`released`), for a reopen.
 */
export type DedupClaim =
  | { claimed: true }
  | { claimed: false; incidentId: string }
  | { claimed: false; released: string };

/** A repeated alert, counted once per delivery on the incident it joins (see IncidentStore.countRepeat). */
export interface RepeatAlert {
  deliveryId: string;
  at: string;
  summary: string;
}

/** Whether the repeat was counted, and the incident as the write left it or found it. */
export type RepeatCount =
  | { counted: true; incident: Incident }
  /** `before`: this very delivery was counted already (a redelivery). */
  | { counted: false; before: boolean; incident?: Incident };

export interface IncidentPage {
  incidents: Incident[];
  /** Opaque cursor for the next page, absent on the last page. */
  next?: string;
}

/** A list cursor that this API did not issue, that was altered, or that belongs to another query. */
export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

/** Narrows a status listing; every filter is applied inside the status index query (no Scan). */
export interface IncidentListFilter {
  severity?: Severity;
  service?: string;
  /** The incident's team (config `teams`). */
  team?: string;
  /** Opened at or after (ISO-8601). */
  from?: string;
  /** Opened before (ISO-8601). */
  to?: string;
}

export interface IncidentStore {
  /**
   * Points the dedup key at `incidentId` unless it already points somewhere; says where (in the
   * same call). A key freed by a resolution is claimed only when `over` names the incident it was
   * freed from (`any`: whichever it was, for senders that never reopen).
   */
  claimDedupKey(
    dedupKey: string,
    incidentId: string,
    at: string,
    over?: { released: string } | 'any',
  ): Promise<DedupClaim>;
  /** Which unresolved incident a dedup key points at now, if any. */
  findByDedupKey(dedupKey: string): Promise<string | undefined>;
  /**
   * Frees the dedup key, but only while it still points at `incidentId` and no reopen has held
   * it for a run after `run` (the episode being resolved): see holdDedupKeyForRun. The freed key
   * still names the incident, so an alert after the resolution can reopen it.
   */
  releaseDedupKey(dedupKey: string, incidentId: string, run: number): Promise<void>;
  /**
   * Marks the key, while it points at `incidentId`, as held for run `run` of it (a reopen's), so
   * the release of an earlier episode's resolution leaves it alone. False when the key no longer
   * points at `incidentId` or a later run holds it. Holding it again for the same run is harmless.
   */
  holdDedupKeyForRun(dedupKey: string, incidentId: string, run: number): Promise<boolean>;
  /**
   * The next incident number, from one counter incremented atomically: two openings never get the
   * same one. Called only once an incident is to be opened, so a duplicate alert burns none.
   */
  allotIncidentNumber(): Promise<number>;
  /** The incident with this short number, if any. */
  findByNumber(number: number): Promise<Incident | undefined>;
  /**
   * Writes the incident unless one with its id exists (and, beside it, its number's pointer);
   * returns the stored one and whether this call wrote it.
   */
  createIncident(incident: Incident): Promise<{ incident: Incident; created: boolean }>;
  getIncident(id: string): Promise<Incident | undefined>;
  getIncidentWithTimeline(id: string): Promise<IncidentWithTimeline | undefined>;
  /**
   * Applies `changes` only while the status is one of `from` and the incident is still on the
   * episode or run the caller decided on (runs.ts); returns the updated incident, or undefined
   * when the condition failed (someone else moved it first). A field given as `undefined` is
   * removed. This conditional write is how every decision about an incident is taken.
   */
  transition(
    incident: Pick<Incident, 'id' | 'openedAt'>,
    from: IncidentStatus[],
    changes: Partial<Incident>,
    expected: { episode: number } | { run: number },
  ): Promise<Incident | undefined>;
  /** Adds a timeline entry; `key` makes the write idempotent (a retried write adds nothing). */
  appendTimeline(incidentId: string, key: string, entry: TimelineEntry): Promise<boolean>;
  /**
   * Records an Alertmanager group's latest notification on its incident (and the title that
   * counts it), unless a notification received later is recorded already. Returns the updated
   * incident, or undefined when it was older or the incident is gone.
   */
  recordAlertGroup(incidentId: string, group: AlertGroup, title: string): Promise<Incident | undefined>;
  /**
   * Counts a repeated alert on the incident, once per delivery (not the one that opened it), and
   * keeps it among the incident's recent alerts (shown on its timeline). `whileWalking`: only
   * while the incident is unresolved, its run seen started and not held, which lets intake count a
   * plain repeat without reading the incident first. Not counted: the incident as found, if any.
   */
  countRepeat(incidentId: string, repeat: RepeatAlert, options: { whileWalking: boolean }): Promise<RepeatCount>;
  /** Records that run `run`'s execution was seen started, unless a later run replaced it. */
  markRunStarted(incidentId: string, run: number, at: string): Promise<void>;
  hasTimelineEntry(incidentId: string, key: string): Promise<boolean>;
  /** The timeline entries whose key starts with `keyPrefix` (e.g. every note), in key order. */
  timelineEntries(incidentId: string, keyPrefix: string): Promise<TimelineEntry[]>;
  listByStatus(
    status: IncidentStatus,
    options: { limit: number; cursor?: string } & IncidentListFilter,
  ): Promise<IncidentPage>;
  /** Every incident opened in [from, to), oldest first, read from the opened-month index. */
  incidentsOpenedBetween(from: string, to: string): AsyncIterable<Incident>;
  /** Records that a ladder step after the first paged someone; the first time stands. */
  markEscalated(incidentId: string, at: string): Promise<void>;
}

export interface EscalationRunner {
  /** Starts a run's ladder; starting the same run again is harmless (its execution name is fixed). */
  start(input: EscalationInput): Promise<{ executionArn: string }>;
  /**
   * Stops a run's execution (the state machine of its severity, its fixed name). Stopping one
   * that was never started, or has finished, is harmless.
   */
  stopRun(execution: EscalationIdentity, reason: string): Promise<void>;
  /**
   * Where a ladder that started at `ladderStart` stands at `now`. The local runtime walks ladders
   * faster (its time scale), so "which steps are behind us" must be asked in the ladder's time;
   * on AWS (absent) it is `now`.
   */
  ladderTime?(ladderStart: string, now: Date): Date;
}

/**
 * What the after-resolution state machine is started with (all times absolute, ISO-8601): the
 * resolution notice to those paged, then the post-mortem reminders when the tier has a deadline.
 */
export interface PostmortemReminderInput {
  incidentId: string;
  /** The episode that resolved (runs.ts): a reopen ends these reminders. */
  run: number;
  resolvedAt: string;
  /** The first reminder: a day before it is due, or halfway when the deadline is under two days. Absent: no post-mortem deadline. */
  remindAt?: string;
  /** The deadline, when the last reminder goes out if it is still not done. */
  dueAt?: string;
  /** Execution name: postmortemExecutionName (runs.ts). */
  executionName: string;
}

/** Starts a resolved incident's post-mortem reminders (lambdas/core/reminders.ts). */
export interface PostmortemReminderRunner {
  /** Starting it again for the same incident and run is harmless (the execution name is fixed). */
  start(input: PostmortemReminderInput): Promise<{ executionArn: string }>;
}

/** Why a message goes to a responder: a ladder step's page, a reminder, an on-call handoff or a resolution notice. */
export type MessagePurpose = 'page' | 'status-update-reminder' | 'postmortem-reminder' | 'handoff' | 'resolution';

export interface PageDelivery {
  responder: Responder;
  /** @default 'page' */
  purpose?: MessagePurpose;
  /** Absent on a message about no incident in particular (a handoff notification). */
  incidentId?: string;
  subject: string;
  sms?: string;
  email?: string;
  /** The spoken text of a voice call (End User Messaging's SendVoiceMessage). */
  voice?: string;
  /**
   * Which ladder page this is: carried with the SMS and the call (End User Messaging's `Context`)
   * and back in their delivery events, so a carrier's rejection is tied to this page. Absent on
   * reminders, notices and handoffs, whose failed deliveries page nobody else.
   */
  page?: PageRef;
}

/** A ladder page, as its delivery events name it (delivery-events.ts). */
export interface PageRef {
  incidentId: string;
  run: number;
  step: number;
  responder: string;
  /** The person this page stood in for, when it was a fallback. */
  fallbackFor?: string;
  channels: Channel[];
}

export interface Pager {
  /** Publishes to the responder's own topic; rejects when the publish failed. */
  page(delivery: PageDelivery): Promise<void>;
}

export interface LifecyclePublisher {
  publish(events: LifecycleEvent[]): Promise<void>;
}

/** The chat topic that Amazon Q Developer's Slack and Teams channel configurations subscribe to. */
export interface ChatPublisher {
  publish(notification: ChatNotification): Promise<void>;
}

/** The secret that signs ack links (Secrets Manager on AWS, a local file or memory locally). */
export interface AckKeySource {
  key(): Promise<Buffer>;
}

export interface IdGenerator {
  next(): string;
}

/** Which function a one-time schedule invokes: the intake function or the page function. */
export type ScheduleTarget = 'intake' | 'page';

/**
 * What a one-time schedule hands its target when it fires: the Lambda event. The target routes it
 * by `klaxon`, as it routes `{"klaxon":"redrive-inbox"}`.
 */
export interface ScheduledWork {
  target: ScheduleTarget;
  payload: { klaxon: string } & Record<string, unknown>;
}

/**
 * Work that must happen once at a time decided at run time (a heartbeat's deadline, a
 * maintenance window's end, an override's start): EventBridge Scheduler one-time schedules on
 * AWS, timers on the runtime's clock locally. Nothing polls, so an idle deployment pays nothing.
 * A schedule fires at least once (Scheduler retries its invocation): its work must be idempotent
 * and must check that it is still due, since a cancel can race the firing.
 */
export interface OneTimeSchedules {
  /** Creates the schedule `name` (see scheduleNameIssue), or moves the one of that name to `at` with this work. */
  schedule(name: string, at: Date, work: ScheduledWork): Promise<void>;
  /** Deletes the schedule `name`; no error when it has fired or never existed. */
  cancel(name: string): Promise<void>;
}

/** An override made at run time (lambdas/core/overrides.ts): someone covers a team's role for a while. */
export interface ShiftOverride extends TeamCover {
  reason: string;
  /** Who made it. */
  by: string;
}

export interface OverrideStore {
  /** Every stored override, ended ones included until they expire (a day after their end). */
  listOverrides(): Promise<ShiftOverride[]>;
  putOverride(override: ShiftOverride): Promise<void>;
  /** Deletes it and returns what it was; undefined when there was none. */
  removeOverride(id: string): Promise<ShiftOverride | undefined>;
}

/** Everything the core's use cases need, injected by handlers. */
export interface CoreDeps {
  config: KlaxonConfig;
  store: IncidentStore;
  /** The overrides made at run time (who is on call, drills' and reminders' primary). */
  overrides: OverrideStore;
  escalation: EscalationRunner;
  /** Started at each resolution of a tier with a post-mortem deadline. */
  postmortems: PostmortemReminderRunner;
  events: LifecyclePublisher;
  clock: Clock;
  ids: IdGenerator;
}

export interface PagingDeps {
  config: KlaxonConfig;
  store: IncidentStore;
  /** The overrides made at run time, read at the moment of each page. */
  overrides: OverrideStore;
  pager: Pager;
  events: LifecyclePublisher;
  clock: Clock;
  apiBaseUrl: string;
  /** Signs the per-responder ack link in each page; pages carry no link without it. */
  ackKey?: AckKeySource;
  /** The deployment takes SMS replies (a two-way SMS topic): page SMS suggest replying to acknowledge. */
  smsReplies?: boolean;
}
