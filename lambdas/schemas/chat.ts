/**
 * What the chat functions accept: a lifecycle event as the EventBridge rule delivers it, and a
 * chat button's request (the custom action's payload).
 */
import * as z from 'zod';
import { CHAT_ACTIONS } from '../core/chat-notifications.js';
import { SEVERITIES } from '../core/config.js';
import { INCIDENT_STATUSES } from '../core/incident.js';
import { LIFECYCLE_DETAIL_TYPES, LIFECYCLE_EVENT_SOURCE } from '../core/lifecycle-events.js';

const kinds = Object.keys(LIFECYCLE_DETAIL_TYPES) as [keyof typeof LIFECYCLE_DETAIL_TYPES];

export const lifecycleRuleEventSchema = z.object({
  source: z.literal(LIFECYCLE_EVENT_SOURCE),
  detail: z.looseObject({
    version: z.string(),
    kind: z.enum(kinds),
    at: z.string(),
    incident: z.object({
      id: z.string().min(1),
      number: z.number().int().positive(),
      title: z.string(),
      severity: z.enum(SEVERITIES),
      status: z.enum(INCIDENT_STATUSES),
      service: z.string(),
      dedupKey: z.string(),
      openedAt: z.string(),
      drill: z.boolean(),
      acknowledgedBy: z.string().optional(),
      resolvedBy: z.string().optional(),
    }),
  }),
});

/** The button's payload: the command text fills `incidentId` from the notification. */
export const chatActionRequestSchema = z.object({
  action: z.enum(CHAT_ACTIONS),
  incidentId: z.string().min(1).max(64),
});
