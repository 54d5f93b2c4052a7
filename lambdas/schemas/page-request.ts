/**
 * The payloads the state machines send the page function: a ladder step's pages ("Page the
 * responders"), a status-update reminder (escalation.asl.json) and a post-mortem reminder
 * (postmortem-reminder.asl.json).
 */
import * as z from 'zod';
import { CHANNELS, ROLES, STEP_CONDITIONS } from '../core/config.js';

export const pageRequestSchema = z.object({
  incidentId: z.string().min(1),
  step: z.object({
    index: z.number().int().min(0),
    dueAt: z.string(),
    afterSeconds: z.number().min(0),
    notify: z.array(z.enum(ROLES)).min(1),
    channels: z.array(z.enum(CHANNELS)).min(1),
    unless: z.enum(STEP_CONDITIONS),
    run: z.number().int().min(1).optional(),
  }),
  /** Set by the state machine's fallback state, once the page task's retries ran out. */
  fallback: z.boolean().optional(),
  /** The last error of the page task, for the timeline. */
  failure: z.string().optional(),
});

export const statusUpdateReminderRequestSchema = z.object({
  remind: z.literal('status-update'),
  incidentId: z.string().min(1),
});

export const postmortemReminderRequestSchema = z.object({
  remind: z.literal('postmortem'),
  incidentId: z.string().min(1),
  run: z.number().int().min(0),
  stage: z.enum(['before-due', 'due']),
  dueAt: z.string(),
});

export const pageFunctionRequestSchema = z.union([
  statusUpdateReminderRequestSchema,
  postmortemReminderRequestSchema,
  pageRequestSchema,
]);
