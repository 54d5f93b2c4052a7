/** Prometheus Alertmanager's webhook payload, version 4 (one POST per notification of an alert group). */
import * as z from 'zod';

/** Prometheus label names are identifiers; the bounds keep one alert well inside a DynamoDB item. */
export const MAX_LABELS = 64;

const labels = z
  .record(z.string().max(256), z.string().max(4096))
  .refine((record) => Object.keys(record).length <= MAX_LABELS, {
    message: `must hold at most ${MAX_LABELS} entries`,
  });

/**
 * The most alerts one notification may carry. Alertmanager sends a whole group in one POST (5,000
 * alerts are about 3 MB); past this, split the group with group_by or cap it with max_alerts.
 */
export const MAX_WEBHOOK_ALERTS = 10_000;

export const alertmanagerWebhookSchema = z.looseObject({
  version: z.literal('4', { message: "must be '4' (the Alertmanager webhook version Klaxon speaks)" }),
  /** Identifies the group; Alertmanager always sends it. One incident per group unless a route says otherwise. */
  groupKey: z.string().min(1, 'must name the alert group (Alertmanager always sends it)'),
  /** How many alerts of the group Alertmanager left out of this notification (its receiver's max_alerts). */
  truncatedAlerts: z.number().int().min(0).default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().optional(),
  groupLabels: labels.optional(),
  commonLabels: labels.optional(),
  commonAnnotations: labels.optional(),
  externalURL: z.string().max(2048).optional(),
  alerts: z
    .array(
      z.looseObject({
        status: z.enum(['firing', 'resolved']),
        labels,
        annotations: labels.default({}),
        startsAt: z.string().max(64).optional(),
        endsAt: z.string().max(64).optional(),
        generatorURL: z.string().max(4096).optional(),
        fingerprint: z.string().min(1).max(255),
      }),
    )
    .min(1, 'must hold at least one alert')
    .max(
      MAX_WEBHOOK_ALERTS,
      `must hold at most ${MAX_WEBHOOK_ALERTS} alerts (split the group with group_by, or set max_alerts on the webhook receiver)`,
    ),
});

export type AlertmanagerWebhook = z.infer<typeof alertmanagerWebhookSchema>;
export type AlertmanagerAlert = AlertmanagerWebhook['alerts'][number];
