/**
 * Klaxon's configuration: the severity policy, the responder roster and the teams (who fills each
 * of a team's roles, and which services it owns).
 * Its types describe the config everywhere; its schemas validate it for the CDK app at synth and
 * the local runtime at start. The severity policy defaults are those of the incident-response
 * runbooks Klaxon was created from (see DESIGN.md); a config file overrides them tier by tier.
 */
import * as z from 'zod';
import {
  CHANNELS,
  type Channel,
  HEARTBEAT_NAME,
  ROLES,
  type Role,
  SERVICE_NAME,
  SEVERITIES,
  type Severity,
  STEP_CONDITIONS,
  type StepCondition,
  TEAM_ID,
} from './config-terms.js';
import { parseDurationSeconds } from './duration.js';

// A function trusts the config validated at synth and imports no value from this module, which
// would load zod at its init: it reads the terms and the lookups from config-terms.ts and
// config-lookups.ts (test/unit/init-closure.test.ts). Tooling and tests may take them from here.
export * from './config-terms.js';

/**
 * A schema built on first use: the functions trust the config validated at synth (see
 * bundledConfig in adapters/aws-runtime.ts), so their cold start neither builds these schemas
 * nor, when nothing else parses with them, bundles them.
 */
export function once<T>(build: () => T): () => T {
  let built: T | undefined;
  return () => {
    built ??= build();
    return built;
  };
}

const duration = /* @__PURE__ */ once(() =>
  z.string().refine((text) => parseDurationSeconds(text) !== undefined, {
    message: 'must be a duration such as "90s", "5m", "1h" or "7d"',
  }),
);

const ladderStepSchema = /* @__PURE__ */ once(() =>
  z.strictObject({
    after: duration().describe('time after the incident opened'),
    notify: z.array(z.enum(ROLES)).min(1, 'must name at least one role'),
    channels: z.array(z.enum(CHANNELS)).min(1, 'must name at least one channel'),
    unless: z.enum(STEP_CONDITIONS).default('resolved'),
  }),
);
export type LadderStepConfig = z.infer<ReturnType<typeof ladderStepSchema>>;

/** Loops beyond this are a misconfiguration, not a policy. */
export const MAX_REPEAT = 10;

const tierSchema = /* @__PURE__ */ once(() =>
  z
    .strictObject({
      description: z.string(),
      aliases: z.array(z.string().min(1)),
      ackTarget: duration(),
      ladder: z
        .array(ladderStepSchema())
        .min(1, 'must have at least one step')
        .refine(isInTimeOrder, { message: 'steps must be in time order ("after" never decreasing)' }),
      statusUpdateEvery: duration().nullable(),
      postmortemDue: z.union([duration(), z.enum(['optional', 'none'])]),
      /**
       * How many more times the whole ladder runs when nobody acknowledges (PagerDuty's num_loops).
       * Repeated steps are "unless acknowledged". Default 0: the ladder runs once.
       */
      repeat: z
        .number()
        .int('must be a whole number of extra loops')
        .min(0, 'must be 0 or more')
        .max(MAX_REPEAT, `must be at most ${MAX_REPEAT} (each loop pages everyone on the ladder again)`)
        .optional(),
      /** The gap between the last step of one loop and the first step of the next. */
      repeatAfter: duration().optional(),
    })
    .refine((tier) => !tier.repeat || tier.repeatAfter !== undefined, {
      message: 'a tier that repeats its ladder needs "repeatAfter", the gap after the last step (such as "15m")',
      path: ['repeatAfter'],
    })
    .refine((tier) => tier.repeatAfter === undefined || (tier.repeat ?? 0) > 0, {
      message: '"repeatAfter" has no effect without "repeat" (the number of extra loops)',
      path: ['repeatAfter'],
    })
    .refine((tier) => !tier.repeat || (parseDurationSeconds(tier.repeatAfter ?? '') ?? 0) > 0, {
      message: '"repeatAfter" must be longer than 0, or every loop would page at the same instant',
      path: ['repeatAfter'],
    }),
);
export type TierPolicy = z.infer<ReturnType<typeof tierSchema>>;

function isInTimeOrder(steps: { after: string }[]): boolean {
  const offsets = steps.map((step) => parseDurationSeconds(step.after) ?? 0);
  return offsets.every((offset, i) => i === 0 || offset >= (offsets[i - 1] ?? 0));
}

const tier = (
  description: string,
  aliases: string[],
  ackTarget: string,
  ladder: LadderStepConfig[],
  statusUpdateEvery: string | null,
  postmortemDue: TierPolicy['postmortemDue'],
): TierPolicy => ({ description, aliases, ackTarget, ladder, statusUpdateEvery, postmortemDue });

const step = (
  after: string,
  notify: Role[],
  channels: Channel[],
  unless: StepCondition = 'resolved',
): LadderStepConfig => ({ after, notify, channels, unless });

const BOTH: Channel[] = ['sms', 'email'];

/** The runbooks' severity policy (DESIGN.md, "Default severity policy"). */
export const DEFAULT_SEVERITY_POLICY: Record<Severity, TierPolicy> = {
  SEV1: tier(
    'Complete outage, data loss or security breach',
    ['critical', 'P0', 'sev1'],
    '5m',
    [
      step('0', ['primary'], BOTH),
      step('5m', ['primary', 'secondary'], BOTH, 'acknowledged'),
      step('30m', ['secondary'], BOTH),
      step('1h', ['engineering-manager'], BOTH),
      step('2h', ['executive'], BOTH),
    ],
    '15m',
    '48h',
  ),
  SEV2: tier(
    'Significant degradation or SLO breach',
    ['error', 'major', 'P1', 'sev2'],
    '15m',
    [
      step('0', ['primary'], ['email']),
      step('15m', ['primary'], ['sms'], 'acknowledged'),
      // DESIGN's table says "unless resolved" here (a runbook: "page on-call if not resolved in
      // 1 hour"). But this step pages the primary, who, once they acknowledged, is the person
      // working it: an SMS to them adds nothing. Unresolved SEV2s still escalate to the secondary
      // at 2h and the manager at 4h ("if unable to resolve SEV-2 in 2 hours, escalate to
      // secondary"). So a SEV2 acknowledged in time rings no phone for 2 hours; unresolved, it does.
      step('1h', ['primary'], ['sms'], 'acknowledged'),
      step('2h', ['secondary'], BOTH),
      step('4h', ['engineering-manager'], BOTH),
    ],
    '30m',
    '7d',
  ),
  SEV3: tier(
    'Isolated issue, a workaround exists',
    ['warning', 'minor', 'P2', 'sev3'],
    '1h',
    [step('0', ['primary'], ['email']), step('1h', ['primary'], ['email'], 'acknowledged')],
    null,
    'optional',
  ),
  SEV4: tier('Cosmetic', ['info', 'low', 'P3', 'sev4'], '24h', [step('0', ['primary'], ['email'])], null, 'none'),
};

const E164 = /^\+[1-9]\d{6,14}$/;
const responderSchema = /* @__PURE__ */ once(() =>
  z.strictObject({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes (it names an SNS topic)'),
    name: z.string().min(1),
    email: z.email('must be an email address'),
    phone: z.string().regex(E164, 'must be an E.164 phone number such as +14155550123'),
    /**
     * The IAM principals (user or assumed-role session ARNs, as API Gateway reports the caller) that
     * act as this responder through the API and the CLI.
     */
    iamPrincipals: z
      .array(
        z
          .string()
          .regex(
            /^arn:[\w-]+:(?:iam|sts)::\d{12}:(?:user|assumed-role)\/\S+$/,
            'must be an IAM user ARN or an assumed-role session ARN (arn:aws:sts::123456789012:assumed-role/Role/session)',
          ),
      )
      .optional(),
  }),
);
export type Responder = z.infer<ReturnType<typeof responderSchema>>;

const integrationKeySchema = /* @__PURE__ */ once(() =>
  z.strictObject({
    name: z.string().min(1),
    /** Klaxon never stores an integration key itself, only its SHA-256 (hex). */
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be the hex SHA-256 of the key'),
    /** The service its change events belong to (default: defaultService). */
    service: z.string().regex(SERVICE_NAME, 'must be letters, digits, ".", "_" or "-" (at most 128)').optional(),
  }),
);

/** Scheduler's one-time schedules fire within about a minute: a shorter interval would page on jitter. */
export const MIN_HEARTBEAT_INTERVAL_SECONDS = 60;
/** A year: a longer gap is a typo, and a schedule that far out is nobody's plan. */
export const MAX_HEARTBEAT_WAIT_SECONDS = 366 * 86_400;

/** A job that pings Klaxon every `interval`; a ping later than `interval` + `grace` opens an incident. */
export const heartbeatMonitorFields = /* @__PURE__ */ once(() =>
  z.strictObject({
    name: z.string().regex(HEARTBEAT_NAME, 'must be 1 to 61 letters, digits, ".", "_" or "-"'),
    interval: duration().refine((text) => (parseDurationSeconds(text) ?? 0) >= MIN_HEARTBEAT_INTERVAL_SECONDS, {
      message: `must be at least ${MIN_HEARTBEAT_INTERVAL_SECONDS}s (schedules fire within about a minute)`,
    }),
    /** How late a ping may be before the monitor counts as missing (a job's run time varies). */
    grace: duration().default('0'),
    severity: z.enum(SEVERITIES).default('SEV2'),
    /** The service its incidents belong to (default: defaultService); routing and maintenance go by it. */
    service: z.string().regex(SERVICE_NAME, 'must be letters, digits, ".", "_" or "-" (at most 128)').optional(),
  }),
);

/** interval + grace within a year (MAX_HEARTBEAT_WAIT_SECONDS): for the config's monitors and the API's. */
export const HEARTBEAT_WAIT_CHECK: [
  (monitor: { interval: string; grace: string }) => boolean,
  z.core.$ZodCustomParams,
] = [
  (monitor) =>
    (parseDurationSeconds(monitor.interval) ?? 0) + (parseDurationSeconds(monitor.grace) ?? 0) <=
    MAX_HEARTBEAT_WAIT_SECONDS,
  { message: 'interval + grace must be at most 366d', path: ['grace'] },
];

export const heartbeatMonitorSchema = /* @__PURE__ */ once(() =>
  heartbeatMonitorFields().refine(...HEARTBEAT_WAIT_CHECK),
);
export type HeartbeatMonitorConfig = z.infer<ReturnType<typeof heartbeatMonitorSchema>>;

/** What an alarm in INSUFFICIENT_DATA does: nothing (the default), or open an incident like ALARM. */
export const INSUFFICIENT_DATA_CHOICES = ['ignore', 'alert'] as const;

const alertPolicySchema = /* @__PURE__ */ once(() =>
  z.strictObject({
    /** An alarm back in ALARM this soon after its incident resolved reopens that incident. */
    reopenWindow: duration().default('30m'),
    insufficientData: z.enum(INSUFFICIENT_DATA_CHOICES).default('ignore'),
  }),
);
export type AlertPolicy = z.infer<ReturnType<typeof alertPolicySchema>>;

/**
 * A routing rule: every condition it names must hold (patterns use `*` as a wildcard and ignore
 * case); the first matching rule gives the alert its service and severity.
 */
const routeRuleSchema = /* @__PURE__ */ once(() =>
  z.strictObject({
    name: z.string().min(1),
    match: z
      .strictObject({
        source: z.enum(['cloudwatch', 'events-v2', 'alertmanager']).optional(),
        alarmName: z.string().min(1).optional(),
        namespace: z.string().min(1).optional(),
        /** A `key=value` tag (or a bare word) inside a CloudWatch alarm description, e.g. `team=payments`. */
        descriptionTag: z.string().min(1).optional(),
        labels: z.record(z.string(), z.string()).optional(),
        component: z.string().min(1).optional(),
        group: z.string().min(1).optional(),
      })
      .refine((match) => Object.keys(match).length > 0, { message: 'must name at least one condition' }),
    service: z.string().min(1),
    /** Forces this severity whatever the alert says. */
    severity: z.enum(SEVERITIES).optional(),
    /** Applies when the alert names no severity, or one Klaxon does not know. */
    defaultSeverity: z.enum(SEVERITIES).optional(),
    /**
     * Alertmanager groups this rule matches (on the group's common labels): one incident per group
     * (the default) or one per alert.
     */
    alertmanagerIncidents: z.enum(['per-group', 'per-alert']).optional(),
  }),
);
export type RouteRule = z.infer<ReturnType<typeof routeRuleSchema>>;

const onlyAlertmanagerChooses = (rule: RouteRule) =>
  rule.alertmanagerIncidents === undefined || [undefined, 'alertmanager'].includes(rule.match.source);

const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;
const localTime = /* @__PURE__ */ once(() =>
  z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour local time such as "09:00"'),
);

const rotationSchema = /* @__PURE__ */ once(() =>
  z
    .strictObject({
      id: z.string().min(1),
      every: z.enum(['day', 'week']),
      /** Weekly rotations hand off on this day (default monday). */
      handoffDay: z.enum(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']).optional(),
      handoffTime: localTime(),
      timeZone: z.string().refine(isTimeZone, { message: 'must be an IANA time zone such as "Europe/Berlin"' }),
      /** The local date of the first handoff, when members[0] takes over. */
      start: z.iso.date('must be a date such as "2026-11-02"'),
      members: z.array(z.string()).min(1, 'must name at least one responder'),
    })
    .refine((rotation) => rotation.every === 'day' || rotation.handoffDay !== undefined, {
      message: 'a weekly rotation needs a handoffDay',
      path: ['handoffDay'],
    }),
);
export type RotationConfig = z.infer<ReturnType<typeof rotationSchema>>;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A role filled from a rotation: `shift` 1 takes the member after the one on duty (a layered secondary). */
const onCallSchema = /* @__PURE__ */ once(() =>
  z.strictObject({ rotation: z.string(), shift: z.number().int().min(0).default(0) }),
);

const overrideSchema = /* @__PURE__ */ once(() =>
  z
    .strictObject({
      role: z.enum(ROLES),
      responder: z.string(),
      from: z.iso.datetime({ offset: true }),
      to: z.iso.datetime({ offset: true }),
    })
    .refine((override) => Date.parse(override.from) < Date.parse(override.to), {
      message: '"from" must be before "to"',
    }),
);

const rolesSchema = /* @__PURE__ */ once(() =>
  z.strictObject({
    primary: z.string(),
    secondary: z.string(),
    'engineering-manager': z.string(),
    executive: z.string(),
  }),
);

/**
 * A team: who fills its roles (fixed, by rotation, or by override), the services it owns and,
 * optionally, its own severity tiers. The first team is the default team: it owns every service
 * no other team lists.
 */
const teamSchema = /* @__PURE__ */ once(() =>
  z.strictObject({
    id: z.string().regex(TEAM_ID, 'must be lower-case letters, digits and dashes'),
    name: z.string().min(1).optional(),
    /** The services whose incidents page this team (a route's or an alert's `service`). */
    services: z.array(z.string().min(1)).default([]),
    roles: rolesSchema(),
    /** Rotations, the roles they fill and overrides; a role without one keeps its `roles` person. */
    rotations: z.array(rotationSchema()).default([]),
    onCall: z.partialRecord(z.enum(ROLES), onCallSchema()).default({}),
    overrides: z.array(overrideSchema()).default([]),
    /** Tiers this team runs differently (ladder, ack target, reminders); names and aliases stay the top level's. */
    severityPolicy: z.partialRecord(z.enum(SEVERITIES), tierSchema()).default({}),
  }),
);

const configSchema = /* @__PURE__ */ once(() =>
  z
    .strictObject({
      responders: z.array(responderSchema()).min(1, 'must list at least one responder'),
      /** Ordered: the first is the default team, which owns every service no team lists. */
      teams: z.array(teamSchema()).min(1, 'must list at least one team (the first is the default team)'),
      integrationKeys: z.array(integrationKeySchema()).default([]),
      defaultSeverity: z.enum(SEVERITIES).default('SEV3'),
      defaultService: z.string().min(1).default('default'),
      severityPolicy: z.partialRecord(z.enum(SEVERITIES), tierSchema()).default({}),
      /** SNS topics whose CloudWatch alarm notifications Klaxon accepts; any other topic gets 403. */
      snsTopicArns: z
        .array(
          z.string().regex(SNS_TOPIC_ARN, 'must be an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:alarms'),
        )
        .default([]),
      /** Ordered: the first rule that matches wins; no match means defaultService and defaultSeverity. */
      routes: z
        .array(
          routeRuleSchema().refine(onlyAlertmanagerChooses, {
            message:
              '"alertmanagerIncidents" applies to Alertmanager alerts only: drop it, or match source "alertmanager"',
            path: ['alertmanagerIncidents'],
          }),
        )
        .default([]),
      /** Per tier: reopen window and what INSUFFICIENT_DATA does (defaults: 30m, ignore). */
      alertPolicy: z.partialRecord(z.enum(SEVERITIES), alertPolicySchema()).default({}),
      /** Jobs that must ping Klaxon regularly (more can be added through the API). */
      heartbeats: z.array(heartbeatMonitorSchema()).default([]),
    })
    .superRefine((config, ctx) => {
      const ids = new Set<string>();
      config.responders.forEach((responder, index) => {
        if (ids.has(responder.id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['responders', index, 'id'],
            message: `"${responder.id}" is listed twice`,
          });
        }
        ids.add(responder.id);
        // A console sign-in finds its responder by email: two responders with one email would be one person.
        const twin = config.responders.findIndex(
          (other) => other.email.toLowerCase() === responder.email.toLowerCase(),
        );
        if (twin !== index) {
          ctx.addIssue({
            code: 'custom',
            path: ['responders', index, 'email'],
            message: `"${responder.email}" is also the email of "${config.responders[twin]?.id}"; each responder signs in with their own`,
          });
        }
        const principals = config.responders.flatMap((other) => other.iamPrincipals ?? []);
        for (const arn of responder.iamPrincipals ?? []) {
          if (principals.indexOf(arn) !== principals.lastIndexOf(arn)) {
            ctx.addIssue({
              code: 'custom',
              path: ['responders', index, 'iamPrincipals'],
              message: `"${arn}" is listed more than once; an IAM principal acts as one responder`,
            });
          }
        }
      });
      const notResponder = (who: string, path: PropertyKey[]) => {
        if (!ids.has(who)) ctx.addIssue({ code: 'custom', path, message: `"${who}" is not a responder id` });
      };
      const teamIds = new Set<string>();
      const owners = new Map<string, string>();
      config.teams.forEach((team, t) => {
        const at = (...path: PropertyKey[]) => ['teams', t, ...path];
        if (teamIds.has(team.id))
          ctx.addIssue({ code: 'custom', path: at('id'), message: `"${team.id}" is listed twice` });
        teamIds.add(team.id);
        team.services.forEach((service, s) => {
          const owner = owners.get(service);
          if (owner && owner !== team.id) {
            ctx.addIssue({
              code: 'custom',
              path: at('services', s),
              message: `"${service}" already belongs to team "${owner}"`,
            });
          }
          owners.set(service, team.id);
        });
        for (const role of ROLES) notResponder(team.roles[role], at('roles', role));
        const rotationIds = new Set<string>();
        team.rotations.forEach((rotation, r) => {
          if (rotationIds.has(rotation.id)) {
            ctx.addIssue({
              code: 'custom',
              path: at('rotations', r, 'id'),
              message: `"${rotation.id}" is listed twice`,
            });
          }
          rotationIds.add(rotation.id);
          rotation.members.forEach((member, m) => {
            notResponder(member, at('rotations', r, 'members', m));
          });
        });
        for (const [role, schedule] of Object.entries(team.onCall)) {
          if (schedule && !rotationIds.has(schedule.rotation)) {
            ctx.addIssue({
              code: 'custom',
              path: at('onCall', role, 'rotation'),
              message: `"${schedule.rotation}" is not a rotation id of team "${team.id}"`,
            });
          }
        }
        team.overrides.forEach((override, o) => {
          notResponder(override.responder, at('overrides', o, 'responder'));
        });
      });
      const heartbeats = new Set<string>();
      config.heartbeats.forEach((monitor, index) => {
        if (heartbeats.has(monitor.name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['heartbeats', index, 'name'],
            message: `"${monitor.name}" is listed twice`,
          });
        }
        heartbeats.add(monitor.name);
      });
      const seenAliases = new Map<string, Severity>();
      for (const severity of SEVERITIES) {
        const aliases = config.severityPolicy[severity]?.aliases ?? DEFAULT_SEVERITY_POLICY[severity].aliases;
        for (const alias of aliases) {
          const other = seenAliases.get(alias.toLowerCase());
          if (other && other !== severity) {
            ctx.addIssue({
              code: 'custom',
              path: ['severityPolicy', severity, 'aliases'],
              message: `alias "${alias}" is already used by ${other}`,
            });
          }
          seenAliases.set(alias.toLowerCase(), severity);
        }
      }
    }),
);

export type KlaxonConfigInput = z.input<ReturnType<typeof configSchema>>;
type ParsedConfig = z.output<ReturnType<typeof configSchema>>;

/** A team; its `severityPolicy` holds only the tiers it runs its own way (tierOf picks). */
export type TeamConfig = ParsedConfig['teams'][number];

/** The validated config with every tier's policy filled in at the top level. */
export interface KlaxonConfig extends Omit<ParsedConfig, 'severityPolicy'> {
  severityPolicy: Record<Severity, TierPolicy>;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Validates a config (parsed JSON) and fills in the default severity policy.
 * Throws ConfigError naming each bad field, e.g. `responders[1].phone: must be an E.164 ...`.
 */
export function parseConfig(raw: unknown, source = 'config'): KlaxonConfig {
  const result = configSchema().safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  - ${formatPath(issue.path)}: ${issue.message}`);
    throw new ConfigError(`Invalid Klaxon ${source}:\n${problems.join('\n')}`);
  }
  const config = result.data;
  return { ...config, severityPolicy: { ...DEFAULT_SEVERITY_POLICY, ...config.severityPolicy } };
}

function formatPath(path: PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join('');
}
