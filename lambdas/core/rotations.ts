/**
 * Who fills a role at a given instant: an override covering that instant, else the role's
 * rotation (daily or weekly, handing off at a local time in an IANA time zone, so a 09:00
 * Europe/Berlin handoff stays 09:00 across daylight-saving changes), else the fixed `roles`
 * mapping. Called at the moment of each page, so a handoff during an open incident pages the
 * new person.
 */
import { DateTime } from 'luxon';
import type { KlaxonConfig, Role, RotationConfig } from './config.js';

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

/** The responder id filling `role` at `at`. */
export function onCallFor(config: KlaxonConfig, role: Role, at: Date): string {
  const override = config.overrides.find(
    (candidate) =>
      candidate.role === role && Date.parse(candidate.from) <= at.getTime() && at.getTime() < Date.parse(candidate.to),
  );
  if (override) return override.responder;
  const schedule = config.onCall[role];
  const rotation = schedule && config.rotations.find((candidate) => candidate.id === schedule.rotation);
  if (schedule && rotation) return rotationShift(rotation, at, schedule.shift).responder;
  return config.roles[role];
}

export interface OnCallNow {
  role: Role;
  now: string;
  /** When the current person hands off (rotation) or their override ends; absent for a fixed role. */
  until?: string;
  next?: string;
}

/** `GET /v1/oncall`: who fills each role now, and who comes next. */
export function whoIsOnCall(config: KlaxonConfig, roles: readonly Role[], at: Date): OnCallNow[] {
  return roles.map((role) => {
    const now = onCallFor(config, role, at);
    const override = config.overrides.find(
      (candidate) =>
        candidate.role === role &&
        Date.parse(candidate.from) <= at.getTime() &&
        at.getTime() < Date.parse(candidate.to),
    );
    const schedule = config.onCall[role];
    const rotation = schedule && config.rotations.find((candidate) => candidate.id === schedule.rotation);
    const until = override?.to ?? (rotation ? rotationShift(rotation, at, schedule?.shift).until : undefined);
    if (!until) return { role, now };
    return { role, now, until, next: onCallFor(config, role, new Date(Date.parse(until))) };
  });
}
