/**
 * Who and what the config names for a case: a responder by id, a service's team, an incident's
 * tier, a severity's alert policy. No zod here (see config-terms.ts).
 */
import type { AlertPolicy, KlaxonConfig, Responder, TeamConfig, TierPolicy } from './config.js';
import type { Severity } from './config-terms.js';

export const DEFAULT_ALERT_POLICY: AlertPolicy = { reopenWindow: '30m', insufficientData: 'ignore' };

export function responderById(config: KlaxonConfig, id: string): Responder | undefined {
  return config.responders.find((responder) => responder.id === id);
}

/** The team that owns a service: the one that lists it, else the default (first) team. */
export function teamForService(config: KlaxonConfig, service: string): TeamConfig {
  return config.teams.find((team) => team.services.includes(service)) ?? defaultTeam(config);
}

export const defaultTeam = (config: KlaxonConfig): TeamConfig => config.teams[0] as TeamConfig;

/** An incident's team by id; a team since removed from the config hands its incidents to the default team. */
export function teamById(config: KlaxonConfig, id: string | undefined): TeamConfig {
  return config.teams.find((team) => team.id === id) ?? defaultTeam(config);
}

/** The tier an incident runs by: its team's own, else the top level's. */
export function tierOf(config: KlaxonConfig, incident: { team: string; severity: Severity }): TierPolicy {
  return teamById(config, incident.team).severityPolicy[incident.severity] ?? config.severityPolicy[incident.severity];
}

export function alertPolicyFor(config: KlaxonConfig, severity: Severity): AlertPolicy {
  return config.alertPolicy[severity] ?? DEFAULT_ALERT_POLICY;
}
