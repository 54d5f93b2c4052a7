/** POST /v1/services/{name}/maintenance */
import * as z from 'zod';
import { SERVICE_NAME } from '../core/config.js';

export const maintenanceBodySchema = z.object({
  until: z.iso.datetime({
    offset: true,
    error: (issue) =>
      `${issue.input === undefined ? 'is missing: give' : 'must be'} the time the window ends, in ISO 8601 such as 2026-11-20T12:00:00Z`,
  }),
  reason: z.string().trim().max(1024).optional(),
  by: z.string().trim().min(1).max(128).optional(),
});

/** What a window's end schedule invokes the intake function with. */
export const maintenanceEndedEventSchema = z.strictObject({
  klaxon: z.literal('maintenance-ended'),
  service: z.string().regex(SERVICE_NAME),
});
