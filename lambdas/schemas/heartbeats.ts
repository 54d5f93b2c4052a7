/** POST /v1/heartbeats: a heartbeat monitor added through the API (the config file's shape, plus who adds it). */
import * as z from 'zod';
import { HEARTBEAT_WAIT_CHECK, heartbeatMonitorFields, once } from '../core/config.js';

// Built on first use, like the config schemas it extends: every ping loads this module, and needs
// none of them.
export const heartbeatBodySchema = /* @__PURE__ */ once(() =>
  heartbeatMonitorFields()
    .extend({ by: z.string().trim().min(1).max(128).optional() })
    .refine(...HEARTBEAT_WAIT_CHECK),
);

/** The `?key=` of a ping: for a sender that cannot set a header (the key then lands in access logs). */
export const pingQuerySchema = z.object({ key: z.string().min(1).max(256).optional() });

/** What a monitor's schedule invokes the intake function with. */
export const heartbeatDeadlineEventSchema = z.strictObject({
  klaxon: z.literal('heartbeat-deadline'),
  name: z.string().min(1).max(61),
});
