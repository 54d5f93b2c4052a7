/**
 * Who fills a team's role at a given instant: an override covering that instant (one made at run
 * time before one in the config), else the role's
 * rotation (daily or weekly, handing off at a local time in an IANA time zone, so a 09:00
 * Europe/Berlin handoff stays 09:00 across daylight-saving changes), else the fixed `roles`
 * mapping. Called at the moment of each page, so a handoff during an open incident pages the
 * new person.
 */
import { DateTime } from 'luxon';
import type { Role, RotationConfig, TeamConfig } from './config.js';

export interface RotationShift {
  responder: string;
  /** ISO-8601 UTC: when this shift started (undefined before the rotation's first handoff). */
  from?: string;
  /** ISO-8601 UTC: the next handoff. */
  until: string;
}

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

function handoffOn(rotation: RotationConfig, date: DateTime): DateTime {
  const [hour = 0, minute = 0] = rotation.handoffTime.split(':').map(Number);
  return date.set({ hour, minute, second: 0, millisecond: 0 });
}

/** The last handoff at or before `at` (local time in the rotation's zone). */
function lastHandoff(rotation: RotationConfig, at: DateTime): DateTime {
  const local = at.setZone(rotation.timeZone);
  if (rotation.every === 'day') {
    const today = handoffOn(rotation, local);
    return today <= local ? today : handoffOn(rotation, local.minus({ days: 1 }));
  }
  const weekday = WEEKDAYS.indexOf(rotation.handoffDay ?? 'monday') + 1;
  const thisWeek = handoffOn(rotation, local.set({ weekday: weekday as 1 }));
  return thisWeek <= local ? thisWeek : handoffOn(rotation, local.minus({ weeks: 1 }).set({ weekday: weekday as 1 }));
}

/** Which member is on (before any `shift`) during the period that began at `handoff`. */
function memberIndex(rotation: RotationConfig, handoff: DateTime): number {
  // Calendar days between local dates, so a 23- or 25-hour DST day still counts as one.
  const start = DateTime.fromISO(rotation.start, { zone: 'UTC' });
  const day = DateTime.fromISO(handoff.toISODate() ?? rotation.start, { zone: 'UTC' });
  const days = Math.round(day.diff(start, 'days').days);
  const periods = rotation.every === 'day' ? days : Math.floor(days / 7);
  return periods;
}

export function rotationShift(rotation: RotationConfig, at: Date, shift = 0): RotationShift {
  const now = DateTime.fromJSDate(at);
  const handoff = lastHandoff(rotation, now);
  const next = handoff.plus(rotation.every === 'day' ? { days: 1 } : { weeks: 1 });
  const firstHandoff = handoffOn(rotation, DateTime.fromISO(rotation.start, { zone: rotation.timeZone }));
  const started = handoff >= firstHandoff;
  const index = started ? memberIndex(rotation, handoff) : 0;
  const count = rotation.members.length;
  const responder = rotation.members[(((index + shift) % count) + count) % count] ?? '';
  return {
    responder,
    from: started ? (handoff.toUTC().toISO() ?? undefined) : undefined,
    until: (started ? next : firstHandoff).toUTC().toISO() ?? '',
  };
}

/** A shift someone covers: an override from the config, or one made at run time (core/overrides.ts). */
export interface Cover {
  role: Role;
  responder: string;
  from: string;
  to: string;
}

/** A run-time override: which team's role it covers, and its id. */
export interface TeamCover extends Cover {
  id: string;
  team: string;
  createdAt: string;
}

const covers = (candidate: Cover, role: Role, at: Date) =>
  candidate.role === role && Date.parse(candidate.from) <= at.getTime() && at.getTime() < Date.parse(candidate.to);

/**
 * The override holding `role` at `at`: a run-time one before the config's (the day-to-day change
 * is the newer intent), and among run-time ones the latest made.
 */
function activeCover(team: TeamConfig, role: Role, at: Date, runtime: readonly TeamCover[]): Cover | undefined {
  const made = runtime
    .filter((candidate) => candidate.team === team.id && covers(candidate, role, at))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  return made ?? team.overrides.find((candidate) => covers(candidate, role, at));
}

function teamRotation(team: TeamConfig, role: Role) {
  const schedule = team.onCall[role];
  const rotation = schedule && team.rotations.find((candidate) => candidate.id === schedule.rotation);
  return schedule && rotation ? { rotation, shift: schedule.shift } : undefined;
}

/** The responder id filling the team's `role` at `at`, with the run-time overrides read at the same moment. */
export function onCallFor(team: TeamConfig, role: Role, at: Date, runtime: readonly TeamCover[] = []): string {
  const cover = activeCover(team, role, at, runtime);
  if (cover) return cover.responder;
  const scheduled = teamRotation(team, role);
  if (scheduled) return rotationShift(scheduled.rotation, at, scheduled.shift).responder;
  return team.roles[role];
}

export interface OnCallNow {
  team: string;
  role: Role;
  now: string;
  /** When the current person hands off (rotation) or their override ends; absent for a fixed role. */
  until?: string;
  next?: string;
  /** The run-time override that puts `now` on call, when one does. */
  override?: string;
}

/** The next instant after `at` when the role's person may change: an override's edge or a rotation's handoff. */
function nextChange(team: TeamConfig, role: Role, at: Date, runtime: readonly TeamCover[]): number | undefined {
  const t = at.getTime();
  const edges = [...team.overrides, ...runtime.filter((cover) => cover.team === team.id)]
    .filter((cover) => cover.role === role)
    .flatMap((cover) => [Date.parse(cover.from), Date.parse(cover.to)]);
  const scheduled = teamRotation(team, role);
  if (scheduled) edges.push(Date.parse(rotationShift(scheduled.rotation, at, scheduled.shift).until));
  const later = edges.filter((edge) => edge > t);
  return later.length > 0 ? Math.min(...later) : undefined;
}

/** `GET /v1/oncall`: who fills each of the team's roles now, until when, and who comes next. */
export function whoIsOnCall(
  team: TeamConfig,
  roles: readonly Role[],
  at: Date,
  runtime: readonly TeamCover[] = [],
): OnCallNow[] {
  return roles.map((role) => {
    const now = onCallFor(team, role, at, runtime);
    const made = runtime.find((cover) => cover.team === team.id && covers(cover, role, at));
    const override = made && activeCover(team, role, at, runtime) === made ? { override: made.id } : {};
    let change = nextChange(team, role, at, runtime);
    // An edge where the same person carries on (an override for the one already on call) is no handoff.
    while (change !== undefined && onCallFor(team, role, new Date(change), runtime) === now) {
      change = nextChange(team, role, new Date(change), runtime);
    }
    if (change === undefined) return { team: team.id, role, now, ...override };
    const until = new Date(change).toISOString();
    return { team: team.id, role, now, until, next: onCallFor(team, role, new Date(change), runtime), ...override };
  });
}

export interface OnCallShift {
  responder: string;
  /** ISO-8601 UTC: the shift's start (or the window's). */
  from: string;
  /** ISO-8601 UTC: the shift's end (or the window's). */
  to: string;
}

/** Who holds the team's `role` from `from` to `to`, as consecutive shifts (the console's next 14 days). */
export function onCallShifts(
  team: TeamConfig,
  role: Role,
  from: Date,
  to: Date,
  runtime: readonly TeamCover[] = [],
): OnCallShift[] {
  const shifts: OnCallShift[] = [];
  let at = from.getTime();
  while (at < to.getTime()) {
    const responder = onCallFor(team, role, new Date(at), runtime);
    const change = Math.min(nextChange(team, role, new Date(at), runtime) ?? to.getTime(), to.getTime());
    const last = shifts[shifts.length - 1];
    if (last && last.responder === responder) last.to = new Date(change).toISOString();
    else shifts.push({ responder, from: new Date(at).toISOString(), to: new Date(change).toISOString() });
    at = change;
  }
  return shifts;
}
