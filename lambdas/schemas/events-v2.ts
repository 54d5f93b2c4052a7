/**
 * PagerDuty Events API v2 request, with that API's own limits, so a sender that works against
 * PagerDuty works against Klaxon unchanged.
 */
import * as z from 'zod';

export const EVENTS_V2_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type EventsV2Severity = (typeof EVENTS_V2_SEVERITIES)[number];

const link = z.object({ href: z.string().min(1), text: z.string().optional() });
const image = z.object({ src: z.string().min(1), href: z.string().optional(), alt: z.string().optional() });

const payload = z.object({
  summary: z.string().trim().min(1, 'is missing or blank').max(1024, 'must be at most 1024 characters'),
  source: z.string().trim().min(1, 'is missing or blank').max(255, 'must be at most 255 characters'),
  severity: z.enum(EVENTS_V2_SEVERITIES, { message: `must be one of ${EVENTS_V2_SEVERITIES.join(', ')}` }),
  timestamp: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 timestamp' }).optional(),
  component: z.string().max(255).optional(),
  group: z.string().max(255).optional(),
  class: z.string().max(255).optional(),
  custom_details: z.record(z.string(), z.unknown()).optional(),
});

const dedupKey = z.string().trim().min(1, 'is blank').max(255, 'must be at most 255 characters');

export const eventsV2Schema = z.discriminatedUnion(
  'event_action',
  [
    z.object({
      routing_key: z.string().min(1, 'is missing or blank'),
      event_action: z.literal('trigger'),
      dedup_key: dedupKey.optional(),
      payload,
      client: z.string().optional(),
      client_url: z.string().optional(),
      links: z.array(link).optional(),
      images: z.array(image).optional(),
    }),
    z.object({
      routing_key: z.string().min(1, 'is missing or blank'),
      event_action: z.enum(['acknowledge', 'resolve']),
      dedup_key: dedupKey,
    }),
  ],
  { error: () => "must be one of 'trigger', 'acknowledge', 'resolve'" },
);

export type EventsV2Request = z.infer<typeof eventsV2Schema>;
