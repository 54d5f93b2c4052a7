/**
 * PagerDuty Events API v2 request, with that API's own limits, so a sender that works against
 * PagerDuty works against Klaxon unchanged.
 */
import * as z from 'zod';
import { parseSenderTimestamp, TIMESTAMP_FORMS } from '../core/timestamps.js';

export const EVENTS_V2_SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type EventsV2Severity = (typeof EVENTS_V2_SEVERITIES)[number];

const link = z.object({ href: z.string().min(1), text: z.string().optional() });
const image = z.object({ src: z.string().min(1), href: z.string().optional(), alt: z.string().optional() });

const missingOr = (input: unknown) => (input === undefined ? 'is missing' : 'must be an object');

/** A required text field: absent and blank say the same thing, in PagerDuty's own words. */
const requiredText = (max: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is missing or blank' : 'must be a string') })
    .trim()
    .min(1, 'is missing or blank')
    .max(max, `must be at most ${max} characters`);

/** PagerDuty's timestamp forms, stored as ISO 8601 in UTC (see lambdas/core/timestamps.ts). */
const timestamp = z.string({ error: `must be ${TIMESTAMP_FORMS}` }).transform((text, context) => {
  const iso = parseSenderTimestamp(text);
  if (iso === undefined) {
    context.addIssue({
      code: 'custom',
      message: `must be ${TIMESTAMP_FORMS}, not ${JSON.stringify(text.slice(0, 64))}`,
    });
    return z.NEVER;
  }
  return iso;
});

const payload = z.object(
  {
    summary: requiredText(1024),
    source: requiredText(255),
    severity: z.enum(EVENTS_V2_SEVERITIES, { message: `must be one of ${EVENTS_V2_SEVERITIES.join(', ')}` }),
    timestamp: timestamp.optional(),
    component: z.string().max(255).optional(),
    group: z.string().max(255).optional(),
    class: z.string().max(255).optional(),
    custom_details: z.record(z.string(), z.unknown()).optional(),
  },
  { error: (issue) => `${missingOr(issue.input)}; a trigger carries its summary, source and severity in payload` },
);

const dedupKey = z.string().trim().min(1, 'is blank').max(255, 'must be at most 255 characters');
const routingKey = z.string({ error: 'is missing or blank' }).min(1, 'is missing or blank');

export const eventsV2Schema = z.discriminatedUnion(
  'event_action',
  [
    z.object({
      routing_key: routingKey,
      event_action: z.literal('trigger'),
      dedup_key: dedupKey.optional(),
      payload,
      client: z.string().optional(),
      client_url: z.string().optional(),
      links: z.array(link).optional(),
      images: z.array(image).optional(),
    }),
    z.object({
      routing_key: routingKey,
      event_action: z.enum(['acknowledge', 'resolve']),
      dedup_key: dedupKey,
    }),
  ],
  { error: () => "must be one of 'trigger', 'acknowledge', 'resolve'" },
);

export type EventsV2Request = z.infer<typeof eventsV2Schema>;

/**
 * A PagerDuty change event (POST /v2/change/enqueue): something that changed (a deploy, a config
 * push), shown beside the service's incidents; it never pages.
 */
export const changeEventSchema = z.object({
  routing_key: routingKey,
  payload: z.object(
    {
      summary: requiredText(1024),
      source: z.string().trim().max(255, 'must be at most 255 characters').optional(),
      timestamp: timestamp.optional(),
      custom_details: z.record(z.string(), z.unknown()).optional(),
    },
    { error: (issue) => `${missingOr(issue.input)}; a change event carries its summary in payload` },
  ),
  links: z.array(link).optional(),
});

export type ChangeEventRequest = z.infer<typeof changeEventSchema>;
