/** Query and body schemas of the incident management API (DESIGN.md, "HTTP API contract"). */
import * as z from 'zod';
import { ROLES, SEVERITIES, TEAM_ID } from '../core/config.js';
import { INCIDENT_ID, INCIDENT_STATUSES, incidentNumberOf } from '../core/incident.js';

/** Any ISO-8601 instant, compared with stored times in their canonical form (…T00:00:00.000Z). */
const instant = (what: string) =>
  z.iso
    .datetime({ offset: true })
    .transform((text) => new Date(text).toISOString())
    .describe(what);

/**
 * An empty or backwards range is a mistake in the request; left to DynamoDB, a BETWEEN with
 * reversed bounds is a ValidationException, answered as a 503 "retry it". The listing and the
 * report refuse it first, with the same message.
 */
const fromBeforeTo = (range: { from?: string; to?: string }) =>
  range.from === undefined || range.to === undefined || range.from < range.to;
const FROM_BEFORE_TO = { message: '"from" must be before "to"', path: ['to'] };

const teamId = z.string().regex(TEAM_ID, 'must be a team id (lower-case letters, digits and dashes)');

export const listIncidentsQuerySchema = z
  .object({
    status: z.enum(INCIDENT_STATUSES).default('open'),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().max(2048).optional(),
    severity: z.enum(SEVERITIES).optional(),
    service: z.string().min(1).max(256).optional(),
    team: teamId.optional().describe("the incident's team"),
    from: instant('opened at or after (ISO-8601)').optional(),
    to: instant('opened before (ISO-8601)').optional(),
  })
  .refine(fromBeforeTo, FROM_BEFORE_TO);

const actor = z.string().trim().min(1).max(128);

export const acknowledgeBodySchema = z.object({ by: actor.optional() });
/** `by`, where given, must be the caller: taking is for oneself. */
export const takeBodySchema = z.object({ by: actor.optional() });
export const resolveBodySchema = z.object({ by: actor.optional(), note: z.string().trim().max(4096).optional() });

const text = (max: number) => z.string().trim().min(1).max(max);

export const noteBodySchema = z.object({
  by: actor.optional(),
  message: text(4096).describe('the status update'),
  noteId: z
    .string()
    .regex(INCIDENT_ID, 'must be 1 to 64 letters, digits, "-" or "_"')
    .optional()
    .describe('sent again on a retry, the note is not posted twice'),
});
export const severityBodySchema = z.object({
  by: actor.optional(),
  severity: z.enum(SEVERITIES),
  reason: text(1024).optional(),
});
export const escalateBodySchema = z.object({
  by: actor.optional(),
  note: text(1024).optional().describe('why, for the timeline and the Incident Escalated event'),
});
export const reassignBodySchema = z.object({
  by: actor.optional(),
  to: actor.describe('a responder id from the config'),
});
export const postmortemDoneBodySchema = z.object({
  by: actor.optional(),
  url: z.url().max(2048).optional().describe('where the finished post-mortem lives'),
});
/**
 * The longest range a report covers. The report reads one index partition per month, one after
 * the other, and must answer within API Gateway's 30 s: two years (25 partitions at most) is
 * quick and covers a year-on-year comparison; the CLI and the runbooks ask for one month.
 */
export const MAX_REPORT_MONTHS = 24;

const withinReportLimit = (range: { from: string; to: string }) => {
  const limit = new Date(range.from);
  limit.setUTCMonth(limit.getUTCMonth() + MAX_REPORT_MONTHS);
  return Date.parse(range.to) <= limit.getTime();
};

export const reportQuerySchema = z
  .object({
    from: instant('opened at or after (ISO-8601)'),
    to: instant(`opened before (ISO-8601); at most ${MAX_REPORT_MONTHS} months after "from"`),
    format: z.enum(['json', 'markdown']).default('json'),
    team: teamId.optional().describe("only this team's incidents"),
  })
  .refine(fromBeforeTo, FROM_BEFORE_TO)
  .refine(withinReportLimit, {
    message: `a report covers at most ${MAX_REPORT_MONTHS} months; ask for a shorter range (or one report per period)`,
    path: ['to'],
  });
export const postmortemQuerySchema = z.object({ format: z.enum(['markdown', 'json']).default('markdown') });
export const drillBodySchema = z.object({
  by: actor.optional(),
  severity: z.enum(SEVERITIES).default('SEV2').describe("the runbooks' monthly drill simulates a SEV2"),
  title: text(256).default('Fire drill'),
  team: teamId.optional().describe('the team whose people it pages (default: the default team)'),
  id: z
    .string()
    .regex(INCIDENT_ID, 'must be 1 to 64 letters, digits, "-" or "_"')
    .refine(
      (id) => incidentNumberOf(id) === undefined,
      'must not be digits alone: that is how an incident number is written',
    )
    .optional()
    .describe('sent again on a retry, the same drill is returned'),
});

export const onCallQuerySchema = z.object({ team: teamId.optional().describe('one team (default: every team)') });
export const overridesQuerySchema = z.object({ team: teamId.optional().describe('one team (default: every team)') });

export const overrideBodySchema = z
  .object({
    team: teamId.optional().describe('the team whose role is covered (default: the default team)'),
    role: z.enum(ROLES),
    responder: z.string().min(1).max(63).describe('the responder id who covers the shift'),
    from: instant('the shift starts (ISO-8601)'),
    to: instant('the shift ends (ISO-8601)'),
    reason: text(500).describe('why, for the people on the rota'),
    by: actor.optional(),
  })
  .refine(fromBeforeTo, FROM_BEFORE_TO);
