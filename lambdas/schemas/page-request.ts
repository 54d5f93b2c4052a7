/**
 * The payloads the state machines send the page function: a ladder step's pages ("Page the
 * responders", escalation.asl.json), and after a resolution the notice to those paged and the
 * post-mortem reminders (postmortem-reminder.asl.json); and a scheduled status-update look.
 */

import * as z from 'zod';
import { CHANNELS, ROLES, STEP_CONDITIONS } from '../core/config.js';
import { OVERRIDE_EDGES } from '../core/overrides.js';
import { OVERRIDE_HANDOFF, STATUS_UPDATE_LOOK } from '../core/page-kinds.js';

/**
 * What a handoff schedule sends. `at` is the scheduled time (EventBridge Scheduler's
 * `<aws.scheduler.scheduled-time>`; the local timer's handoff instant).
 */
export const handoffRequestSchema = z.discriminatedUnion('handoff', [
  z.object({
    handoff: z.literal('rotation'),
    team: z.string().min(1),
    rotation: z.string().min(1),
    at: z.iso.datetime({ offset: true }),
  }),
  z.object({
    handoff: z.literal('override'),
    team: z.string().min(1),
    override: z.number().int().min(0),
    at: z.iso.datetime({ offset: true }),
  }),
  z.object({
    handoff: z.literal('cover'),
    id: z.string().min(1).max(64),
    edge: z.enum(OVERRIDE_EDGES),
    at: z.iso.datetime({ offset: true }),
  }),
]);

export const pageRequestSchema = z.object({
  incidentId: z.string().min(1),
  step: z
    .object({
      index: z.number().int().min(0),
      dueAt: z.string(),
      afterSeconds: z.number().min(0),
      notify: z.array(z.enum(ROLES)),
      channels: z.array(z.enum(CHANNELS)).min(1),
      unless: z.enum(STEP_CONDITIONS),
      run: z.number().int().min(1),
      loop: z.number().int().min(1).optional(),
      /** People by id (a reassigned incident's new assignee). */
      responders: z.array(z.string().min(1)).min(1).optional(),
      reason: z.enum(['escalated', 'severity-raised', 'reassigned']).optional(),
    })
    .refine((step) => step.notify.length > 0 || (step.responders?.length ?? 0) > 0, {
      message: 'a step must page at least one role or responder',
    }),
  /** Set by the state machine's fallback state, once the page task's retries ran out. */
  fallback: z.boolean().optional(),
  /** The last error of the page task, for the timeline. */
  failure: z.string().optional(),
});

/** A scheduled status-update look (core/reminders.ts), from a one-time schedule. */
export const statusUpdateLookSchema = z.object({
  klaxon: z.literal(STATUS_UPDATE_LOOK),
  incidentId: z.string().min(1),
});

export const postmortemReminderRequestSchema = z.object({
  remind: z.literal('postmortem'),
  incidentId: z.string().min(1),
  run: z.number().int().min(1),
  stage: z.enum(['before-due', 'due']),
  dueAt: z.string(),
});

/** The after-resolution machine's first task: tell everyone paged that it is resolved. */
export const resolutionNoticeRequestSchema = z.object({
  notify: z.literal('resolution'),
  incidentId: z.string().min(1),
  run: z.number().int().min(1),
});

export const pageFunctionRequestSchema = z.union([
  resolutionNoticeRequestSchema,
  postmortemReminderRequestSchema,
  pageRequestSchema,
]);

/** What an override's one-time schedule sends (core/overrides.ts): which override, which edge. */
export const overrideHandoffSchema = z.strictObject({
  klaxon: z.literal(OVERRIDE_HANDOFF),
  id: z.string().min(1).max(64),
  edge: z.enum(OVERRIDE_EDGES),
});
