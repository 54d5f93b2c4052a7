/**
 * The config's vocabulary: severities, roles, channels, step conditions and the forms of its
 * names. No zod here, nor in config-lookups.ts: a function's code reads these at init, and the
 * schemas that validate a config (config.ts) are for synth, the local runtime and the API routes
 * that load them on use.
 */

export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const ROLES = ['primary', 'secondary', 'engineering-manager', 'executive'] as const;
export type Role = (typeof ROLES)[number];

/** The channels that carry a written message: reminders, resolution notices and handoffs use only these. */
export const WRITTEN_CHANNELS = ['sms', 'email'] as const;
/**
 * `voice` is a text-to-speech call (End User Messaging's SendVoiceMessage): for steps that must
 * wake someone. It needs an origination identity in the deployment (docs/configuration.md).
 */
export const CHANNELS = [...WRITTEN_CHANNELS, 'voice'] as const;
export type Channel = (typeof CHANNELS)[number];
/** A channel that rings the responder's phone: its failure falls back to email first. */
export const PHONE_CHANNELS: readonly Channel[] = ['sms', 'voice'];

/** A step is skipped when the incident has reached this state by the time the step is due. */
export const STEP_CONDITIONS = ['acknowledged', 'resolved'] as const;
export type StepCondition = (typeof STEP_CONDITIONS)[number];

/** A service's name, as the config, alerts' routing and the maintenance path (`/v1/services/{name}/maintenance`) write it. */
export const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * A heartbeat monitor's name: it names the run-time schedule `hb-<name>` (Scheduler names hold at
 * most 64 of these characters) and the monitor's URL, so it needs no escaping anywhere.
 */
export const HEARTBEAT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,60}$/;

/** Team ids name schedules and keys: the same characters as a responder id. */
export const TEAM_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Who stands in when a role's person cannot be reached at all (every channel failed): the next
 * role up the ladder, and on up the chain past anyone the step already paged or who cannot be
 * reached either. The executive has no backup; when the chain runs out the page function fails,
 * which raises the self-monitoring alarm, and the ladder goes on.
 */
export const BACKUP_ROLE: Record<Role, Role | undefined> = {
  primary: 'secondary',
  secondary: 'engineering-manager',
  'engineering-manager': 'executive',
  executive: undefined,
};
