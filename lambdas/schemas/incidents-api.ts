/** Query and body schemas of the incident management API (DESIGN.md, "HTTP API contract"). */
import { z } from 'zod';
import { INCIDENT_STATUSES } from '../core/incident.js';

export const listIncidentsQuerySchema = z.object({
  status: z.enum(INCIDENT_STATUSES).default('open'),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(2048).optional(),
});

const actor = z.string().trim().min(1).max(128);

export const acknowledgeBodySchema = z.object({ by: actor.optional() });
export const resolveBodySchema = z.object({ by: actor.optional(), note: z.string().trim().max(4096).optional() });
