/** Prometheus Alertmanager's webhook payload, version 4 (one POST per notification group). */
import * as z from 'zod';

const labels = z.record(z.string().max(1024), z.string().max(4096));

export const alertmanagerWebhookSchema = z.looseObject({
  version: z.literal('4', { message: "must be '4' (the Alertmanager webhook version Klaxon speaks)" }),
  groupKey: z.string().optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().optional(),
  groupLabels: labels.optional(),
  commonLabels: labels.optional(),
  commonAnnotations: labels.optional(),
  externalURL: z.string().optional(),
  alerts: z
    .array(
      z.looseObject({
        status: z.enum(['firing', 'resolved']),
        labels,
        annotations: labels.default({}),
        startsAt: z.string().optional(),
        endsAt: z.string().optional(),
        generatorURL: z.string().optional(),
        fingerprint: z.string().min(1).max(255),
      }),
    )
    .min(1, 'must hold at least one alert')
    .max(1000, 'must hold at most 1000 alerts'),
});

export type AlertmanagerWebhook = z.infer<typeof alertmanagerWebhookSchema>;
export type AlertmanagerAlert = AlertmanagerWebhook['alerts'][number];
