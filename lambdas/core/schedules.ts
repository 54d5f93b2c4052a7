/**
 * The rules every one-time schedule follows, on AWS and locally alike, so that a name or a payload
 * the local runtime accepts cannot be refused by EventBridge Scheduler.
 */
import type { ScheduledWork } from './ports.js';

/** EventBridge Scheduler's limits on a schedule's name and on its target's input. */
export const SCHEDULE_NAME = /^[0-9A-Za-z._-]{1,64}$/;
export const SCHEDULE_INPUT_MAX_BYTES = 256 * 1024;
/** Scheduler invokes within the minute of a one-time schedule's time, never earlier. */
export const SCHEDULE_PRECISION_MS = 60_000;

export class ScheduleError extends Error {
  override name = 'ScheduleError';
}

/** The target's input (the payload as JSON); throws a ScheduleError naming what Scheduler would refuse. */
export function scheduleInput(name: string, work: ScheduledWork): string {
  if (!SCHEDULE_NAME.test(name)) {
    throw new ScheduleError(
      `Schedule name ${JSON.stringify(name)} must be 1 to 64 letters, digits, ".", "_" or "-" (EventBridge Scheduler's rule)`,
    );
  }
  const input = JSON.stringify(work.payload);
  const bytes = Buffer.byteLength(input, 'utf8');
  if (bytes > SCHEDULE_INPUT_MAX_BYTES) {
    throw new ScheduleError(
      `Schedule ${name}'s payload is ${bytes} bytes, over EventBridge Scheduler's ${SCHEDULE_INPUT_MAX_BYTES}-byte input limit`,
    );
  }
  return input;
}

/**
 * The `at()` expression for a one-time schedule, in UTC to the second, rounded up: a schedule
 * that fired before its work was due would find it not yet due and re-arm, which (that close to
 * now) lands a minute later. A time already past (or within the next few seconds) becomes the
 * next minute: Scheduler is not documented to fire a one-time schedule made for a time that has
 * gone, and a late wake-up beats none.
 */
export function atExpression(at: Date, now: Date): string {
  const earliest = now.getTime() + 5_000;
  const when = at.getTime() < earliest ? now.getTime() + SCHEDULE_PRECISION_MS : at.getTime();
  return `at(${new Date(Math.ceil(when / 1000) * 1000).toISOString().slice(0, 19)})`;
}
