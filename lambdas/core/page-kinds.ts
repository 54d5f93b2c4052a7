/**
 * The `klaxon` field of the payloads one-time schedules send the page function, which it routes on
 * (handlers/page-responders.ts). A module of its own so that telling the kinds apart loads neither
 * the overrides' nor the reminders' code: each kind's code is loaded by its first event.
 */

/** An override's start or end notice (overrides.ts schedules it). */
export const OVERRIDE_HANDOFF = 'override-handoff';

/** A scheduled status-update look (reminders.ts schedules it). */
export const STATUS_UPDATE_LOOK = 'status-update-reminder';
