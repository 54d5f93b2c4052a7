/** `POST /v1/drills`: a fire drill the runbooks ask for monthly. */
import { z } from 'zod';
import { SEVERITIES } from '../core/config.js';

export const drillBodySchema = z.object({
  severity: z.enum(SEVERITIES).default('SEV1'),
  title: z.string().trim().min(1).max(200).default('Fire drill'),
  summary: z
    .string()
    .trim()
    .max(1000)
    .default('A scheduled fire drill: acknowledge and resolve it as you would a real incident.'),
  service: z.string().trim().min(1).max(100).optional(),
  by: z.string().trim().min(1).max(128).optional(),
});
