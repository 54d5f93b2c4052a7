/**
 * What code reads of the inbound payloads without validating them with a schema: a body's size
 * limit, checked before it is parsed, and the parts of an alarm ARN, read once it is valid. No
 * zod here: the schema modules are loaded by the first request that validates with them
 * (core/load-once.ts), and importing these must not load them at a function's init.
 */

/** PagerDuty's payload limit for the Events API (both alert and change events). */
export const EVENTS_V2_MAX_BYTES = 512 * 1024;

/** A CloudWatch alarm's ARN: its region, account and name. */
export const ALARM_ARN = /^arn:aws[a-z-]*:cloudwatch:([a-z0-9-]+):(\d{12}):alarm:(.+)$/;
