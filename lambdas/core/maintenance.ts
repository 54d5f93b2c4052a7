/**
 * Maintenance windows: which window a request may set, and when a window is in force. Intake
 * (hold the ladder) and the maintenance API (answer `inForce`) both ask here, so a window is
 * never "in force" to one and not to the other.
 */
import { createHash } from 'node:crypto';
import { MAINTENANCE_ENDED } from './intake-invocations.js';
import type { IntakeRecordStore, MaintenanceWindow } from './intake-records.js';
import type { Clock, OneTimeSchedules } from './ports.js';

/** A window longer than this is more likely a typo (a year for a day) than a plan. */
export const MAX_MAINTENANCE_DAYS = 31;

/** A window a person asked for that cannot be set; the message says what to change. */
export class MaintenanceWindowRefusedError extends Error {
  override name = 'MaintenanceWindowRefusedError';
}

/** A window is in force from its start until (not including) its end. */
export function isInForce(window: MaintenanceWindow | undefined, now: Date): window is MaintenanceWindow {
  if (!window) return false;
  const at = now.getTime();
  return Date.parse(window.startsAt) <= at && at < Date.parse(window.endsAt);
}

export interface MaintenanceRequest {
  service: string;
  /** An ISO 8601 time (the schema has checked its shape). */
  until: string;
  reason?: string;
  by: string;
}

/**
 * The window a request sets: from `now` until `until`. Refused when it would not be in force at
 * all (it ends now or earlier) or would be implausibly long.
 */
export function planMaintenanceWindow(request: MaintenanceRequest, now: Date): MaintenanceWindow {
  const endsAt = new Date(request.until);
  if (Number.isNaN(endsAt.getTime())) {
    throw new MaintenanceWindowRefusedError(`until (${request.until}) is not a time; give an ISO 8601 time`);
  }
  if (endsAt.getTime() - now.getTime() > MAX_MAINTENANCE_DAYS * 86_400_000) {
    throw new MaintenanceWindowRefusedError(
      `until is more than ${MAX_MAINTENANCE_DAYS} days away; maintenance windows are shorter`,
    );
  }
  const window: MaintenanceWindow = {
    service: request.service,
    startsAt: now.toISOString(),
    endsAt: endsAt.toISOString(),
    ...(request.reason ? { reason: request.reason } : {}),
    by: request.by,
  };
  // The same rule as intake's: a window set now must be in force now, or it holds nothing.
  if (!isInForce(window, now)) {
    throw new MaintenanceWindowRefusedError(`until (${request.until}) is in the past; give the time the window ends`);
  }
  return window;
}

/**
 * One schedule per service (`mnt-<service>`), so a window that replaces another moves its end.
 * Scheduler names hold 64 characters of [0-9A-Za-z._-]: a longer service name is hashed.
 */
export function maintenanceScheduleName(service: string): string {
  const name = `mnt-${service}`;
  return name.length <= 64 ? name : `mnt-${createHash('sha256').update(service, 'utf8').digest('hex').slice(0, 56)}`;
}

/**
 * Sets the window a request asks for and schedules its end: when it comes, every incident the
 * window held that is still unresolved starts its ladder (startHeldLadders, intake.ts). A window
 * that replaces another moves the one schedule.
 */
export async function setMaintenanceWindow(
  deps: { records: Pick<IntakeRecordStore, 'putMaintenance'>; schedules: OneTimeSchedules; clock: Clock },
  request: MaintenanceRequest,
): Promise<MaintenanceWindow> {
  const window = planMaintenanceWindow(request, deps.clock.now());
  await deps.records.putMaintenance(window);
  await deps.schedules.schedule(maintenanceScheduleName(window.service), new Date(window.endsAt), {
    target: 'intake',
    payload: { klaxon: MAINTENANCE_ENDED, service: window.service },
  });
  return window;
}
