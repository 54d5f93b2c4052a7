/**
 * Heartbeat monitors: a job (a nightly backup, a batch, a cluster outside AWS) pings Klaxon every
 * `interval`; when no ping comes for `interval` + `grace`, an incident opens ("no heartbeat from
 * nightly-backup since …") through the same intake path alerts take (one dedup key per monitor,
 * so it opens once), and the next ping resolves it.
 *
 * Nothing polls. Each ping records itself in one conditional write and keeps one run-time
 * schedule per monitor (`hb-<name>`) at lastPing + interval + grace. A flood of pings is cheap:
 * the schedule moves only when the deadline moved later by more than a tenth of the interval, so
 * it may fire early; when it does, the check reads the last ping again and re-arms instead of
 * opening. A monitor starts watching at its first ping (a new job has not run yet).
 */
import type { Alert } from './alert.js';
import type { HeartbeatMonitorConfig, KlaxonConfig, Severity } from './config.js';
import { HEARTBEAT_NAME } from './config-terms.js';
import { parseDurationSeconds } from './duration.js';
import { type IntakeDeps, type IntakeOutcome, receiveAlert } from './intake.js';
import { HEARTBEAT_DEADLINE } from './intake-invocations.js';
import type { OneTimeSchedules } from './ports.js';
import { HeartbeatNotFoundError, HeartbeatRefusedError } from './refusals.js';

/** A monitor as Klaxon uses it: from the config file, or added through the API. */
export interface HeartbeatMonitor {
  name: string;
  interval: string;
  grace: string;
  severity: Severity;
  service: string;
  origin: 'config' | 'api';
  /** Added through the API: when, and by whom. */
  createdAt?: string;
  createdBy?: string;
}

/** What is stored per monitor beside its definition: its last ping and where its schedule stands. */
export interface HeartbeatState {
  name: string;
  lastPingAt?: string;
  /** The time the monitor's schedule was last set to fire at. */
  scheduledAt?: string;
  /** The last ping a missed deadline was declared for (its incident opened): the next ping resolves it. */
  missingSince?: string;
}

export interface HeartbeatStore {
  /** Adds a monitor defined through the API; false when one of that name exists. */
  addMonitor(monitor: HeartbeatMonitor): Promise<boolean>;
  /** Removes an API-defined monitor and its state; false when there was none. */
  removeMonitor(name: string): Promise<boolean>;
  getMonitor(name: string): Promise<HeartbeatMonitor | undefined>;
  /** Every monitor added through the API, by name. */
  listMonitors(): Promise<HeartbeatMonitor[]>;
  getState(name: string): Promise<HeartbeatState | undefined>;
  /** The state of each named monitor that has one. */
  getStates(names: string[]): Promise<HeartbeatState[]>;
  /**
   * Records a ping at `at` in one conditional write, unless a ping at `at` or later is recorded
   * already (then `recorded: false`: that ping did, or does, the rest). Returns the state before.
   */
  recordPing(name: string, at: string): Promise<{ recorded: true; before: HeartbeatState } | { recorded: false }>;
  /** Sets scheduledAt to `at` unless it is at or after `at` already. */
  recordScheduled(name: string, at: string): Promise<void>;
  /** Declares the ping `lastPingAt` missed, only while it is still the last ping; false otherwise. */
  markMissing(name: string, lastPingAt: string): Promise<boolean>;
  /** Clears a missed deadline once its incident was resolved, only while it is `missingSince`. */
  clearMissing(name: string, missingSince: string): Promise<void>;
}

export interface HeartbeatDeps extends IntakeDeps {
  heartbeats: HeartbeatStore;
  schedules: OneTimeSchedules;
}

/** One schedule per monitor: a ping moves it, a check re-arms it. HEARTBEAT_NAME keeps it within 64 characters. */
export const heartbeatScheduleName = (name: string) => `hb-${name}`;

/** The dedup key (source `heartbeat`) of a monitor's missed-ping incident: it opens once. */
export const heartbeatDedupKey = (name: string) => name;

export function monitorFromConfig(config: KlaxonConfig, monitor: HeartbeatMonitorConfig): HeartbeatMonitor {
  return {
    name: monitor.name,
    interval: monitor.interval,
    grace: monitor.grace,
    severity: monitor.severity,
    service: monitor.service ?? config.defaultService,
    origin: 'config',
  };
}

/** The config's monitor of that name, or the one added through the API. */
export async function findMonitor(
  deps: Pick<HeartbeatDeps, 'config' | 'heartbeats'>,
  name: string,
): Promise<HeartbeatMonitor | undefined> {
  if (!HEARTBEAT_NAME.test(name)) return undefined;
  const configured = deps.config.heartbeats.find((monitor) => monitor.name === name);
  return configured ? monitorFromConfig(deps.config, configured) : deps.heartbeats.getMonitor(name);
}

const seconds = (duration: string) => parseDurationSeconds(duration) ?? 0;

/** When a monitor whose last ping was at `lastPingAt` is missing. */
export function heartbeatDeadline(monitor: Pick<HeartbeatMonitor, 'interval' | 'grace'>, lastPingAt: string): Date {
  return new Date(Date.parse(lastPingAt) + (seconds(monitor.interval) + seconds(monitor.grace)) * 1000);
}

/**
 * Whether a ping's deadline must move the schedule: when there is none, or the new deadline is
 * later than the scheduled one by more than a tenth of the interval. A schedule left earlier fires
 * early and re-arms (checkHeartbeat), so the slack costs one extra check, never a late incident.
 */
export function movesSchedule(
  monitor: Pick<HeartbeatMonitor, 'interval'>,
  deadline: Date,
  scheduledAt: string | undefined,
): boolean {
  if (scheduledAt === undefined) return true;
  return deadline.getTime() - Date.parse(scheduledAt) > (seconds(monitor.interval) * 1000) / 10;
}

async function arm(deps: HeartbeatDeps, monitor: HeartbeatMonitor, at: Date): Promise<void> {
  await deps.schedules.schedule(heartbeatScheduleName(monitor.name), at, {
    target: 'intake',
    payload: { klaxon: HEARTBEAT_DEADLINE, name: monitor.name },
  });
  await deps.heartbeats.recordScheduled(monitor.name, at.toISOString());
}

/** The alert a monitor sends itself: a trigger when it misses, a resolve when it pings again. */
function heartbeatAlert(
  monitor: HeartbeatMonitor,
  action: 'trigger' | 'resolve',
  lastPingAt: string,
  now: string,
): Alert {
  const title = `No heartbeat from ${monitor.name} since ${lastPingAt}`;
  return {
    source: 'heartbeat',
    action,
    dedupKey: heartbeatDedupKey(monitor.name),
    // One per missed ping and per ping: a retried check or ping counts once.
    deliveryId: `heartbeat:${monitor.name}:${action}:${action === 'trigger' ? lastPingAt : now}`,
    title,
    summary:
      action === 'trigger'
        ? `${title}: expected every ${monitor.interval} (grace ${monitor.grace})`
        : `Heartbeat from ${monitor.name} again at ${now}`,
    severityText: monitor.severity,
    severitySource: `heartbeat monitor ${monitor.name}`,
    service: monitor.service,
    occurredAt: now,
    details: { monitor: monitor.name, interval: monitor.interval, grace: monitor.grace, lastPingAt },
    actor: `heartbeat:${monitor.name}`,
  };
}

export type PingResult = {
  monitor: string;
  at: string;
  /** When the monitor counts as missing unless it pings again. */
  deadline: string;
  /** The missed-ping incident this ping resolved, if any. */
  resolved?: string;
};

/**
 * A ping: recorded in one conditional write; the schedule moves only when the deadline moved
 * enough (movesSchedule); a missed deadline's incident is resolved.
 */
export async function receivePing(deps: HeartbeatDeps, name: string): Promise<PingResult> {
  const monitor = await findMonitor(deps, name);
  if (!monitor) throw new HeartbeatNotFoundError(`No heartbeat monitor named "${name}"`);
  const now = deps.clock.now().toISOString();
  const deadline = heartbeatDeadline(monitor, now);
  const result: PingResult = { monitor: name, at: now, deadline: deadline.toISOString() };
  const ping = await deps.heartbeats.recordPing(name, now);
  // A ping at this instant or later is recorded: it does the rest (a burst within one millisecond).
  if (!ping.recorded) return result;
  const { before } = ping;
  const resolving =
    before.missingSince !== undefined ? resolveMissed(deps, monitor, before.missingSince, now) : undefined;
  const moving = movesSchedule(monitor, deadline, before.scheduledAt) ? arm(deps, monitor, deadline) : undefined;
  const [resolved] = await Promise.all([resolving, moving]);
  return resolved ? { ...result, resolved } : result;
}

async function resolveMissed(
  deps: HeartbeatDeps,
  monitor: HeartbeatMonitor,
  missingSince: string,
  now: string,
): Promise<string | undefined> {
  const outcome = await receiveAlert(deps, heartbeatAlert(monitor, 'resolve', missingSince, now));
  // Cleared once resolved: a ping that fails before this leaves it for the next ping to resolve.
  await deps.heartbeats.clearMissing(monitor.name, missingSince);
  return 'incident' in outcome ? outcome.incident.id : undefined;
}

export type HeartbeatCheck =
  | { outcome: 'unknown-monitor' | 'never-pinged' | 'already-missing' }
  | { outcome: 're-armed'; deadline: string }
  | { outcome: 'missing'; lastPingAt: string; intake: IntakeOutcome['outcome']; incidentId?: string };

/**
 * The monitor's schedule fired: if the last ping is older than interval + grace, its incident
 * opens (once: the monitor's dedup key); otherwise the schedule fired early (a ping left it where
 * it was, or a later ping came meanwhile) and is moved to the real deadline.
 */
export async function checkHeartbeat(deps: HeartbeatDeps, name: string): Promise<HeartbeatCheck> {
  const monitor = await findMonitor(deps, name);
  if (!monitor) return { outcome: 'unknown-monitor' };
  for (let attempt = 0; attempt < 3; attempt++) {
    const state = await deps.heartbeats.getState(name);
    const lastPingAt = state?.lastPingAt;
    if (!lastPingAt) return { outcome: 'never-pinged' };
    const now = deps.clock.now();
    const deadline = heartbeatDeadline(monitor, lastPingAt);
    if (now < deadline) {
      await arm(deps, monitor, deadline);
      return { outcome: 're-armed', deadline: deadline.toISOString() };
    }
    if (state.missingSince === lastPingAt) return { outcome: 'already-missing' };
    // Declared before the incident opens, so a ping from here on resolves it; refused when a ping
    // came since the read: look again.
    if (!(await deps.heartbeats.markMissing(name, lastPingAt))) continue;
    const opened = await receiveAlert(deps, heartbeatAlert(monitor, 'trigger', lastPingAt, now.toISOString()));
    const incidentId = 'incident' in opened ? opened.incident.id : undefined;
    // A ping between the declaration and the opening found nothing open to resolve: resolve now.
    const after = await deps.heartbeats.getState(name);
    if (after?.lastPingAt !== lastPingAt && after?.missingSince !== lastPingAt && after?.lastPingAt) {
      await resolveMissed(deps, monitor, lastPingAt, after.lastPingAt);
    }
    return { outcome: 'missing', lastPingAt, intake: opened.outcome, ...(incidentId ? { incidentId } : {}) };
  }
  throw new Error(`Heartbeat ${name} kept being pinged while it was checked; the schedule's retry checks again`);
}

/**
 * A monitor added through the API. Refused when the config defines that name (it is managed
 * there) or one was added already.
 */
export async function addMonitor(
  deps: Pick<HeartbeatDeps, 'config' | 'heartbeats' | 'clock'>,
  request: Omit<HeartbeatMonitor, 'origin' | 'createdAt' | 'service'> & { service?: string; by: string },
): Promise<HeartbeatMonitor> {
  if (deps.config.heartbeats.some((monitor) => monitor.name === request.name)) {
    throw new HeartbeatRefusedError(
      `Heartbeat monitor "${request.name}" is defined in the config file; change it there`,
    );
  }
  const { by, ...fields } = request;
  const monitor: HeartbeatMonitor = {
    ...fields,
    service: request.service ?? deps.config.defaultService,
    origin: 'api',
    createdAt: deps.clock.now().toISOString(),
    createdBy: by,
  };
  if (!(await deps.heartbeats.addMonitor(monitor))) {
    throw new HeartbeatRefusedError(
      `Heartbeat monitor "${request.name}" exists already; remove it first to change it (klaxon heartbeat rm ${request.name})`,
    );
  }
  return monitor;
}

/** Removes an API-defined monitor and cancels its schedule; an open missed-ping incident stays for a person to resolve. */
export async function removeMonitor(deps: Pick<HeartbeatDeps, 'config' | 'heartbeats' | 'schedules'>, name: string) {
  if (deps.config.heartbeats.some((monitor) => monitor.name === name)) {
    throw new HeartbeatRefusedError(`Heartbeat monitor "${name}" is defined in the config file; remove it there`);
  }
  if (!HEARTBEAT_NAME.test(name) || !(await deps.heartbeats.removeMonitor(name))) {
    throw new HeartbeatNotFoundError(`No heartbeat monitor named "${name}" was added through the API`);
  }
  await deps.schedules.cancel(heartbeatScheduleName(name));
}

export type HeartbeatStatus = 'new' | 'up' | 'late' | 'missing';

export interface HeartbeatListing extends HeartbeatMonitor {
  status: HeartbeatStatus;
  lastPingAt?: string;
  deadline?: string;
}

/** Every monitor (the config's first, then the API's), with its last ping and status now. */
export async function listMonitors(
  deps: Pick<HeartbeatDeps, 'config' | 'heartbeats' | 'clock'>,
): Promise<HeartbeatListing[]> {
  const configured = deps.config.heartbeats.map((monitor) => monitorFromConfig(deps.config, monitor));
  const added = await deps.heartbeats.listMonitors();
  const monitors = [...configured, ...added.filter((monitor) => !configured.some((c) => c.name === monitor.name))];
  const states = new Map((await deps.heartbeats.getStates(monitors.map((m) => m.name))).map((s) => [s.name, s]));
  const now = deps.clock.now();
  return monitors.map((monitor) => {
    const state = states.get(monitor.name);
    if (!state?.lastPingAt) return { ...monitor, status: 'new' };
    const deadline = heartbeatDeadline(monitor, state.lastPingAt);
    // Past its deadline but not yet declared: its schedule is about to fire.
    const status: HeartbeatStatus =
      state.missingSince === state.lastPingAt ? 'missing' : now >= deadline ? 'late' : 'up';
    return { ...monitor, status, lastPingAt: state.lastPingAt, deadline: deadline.toISOString() };
  });
}
