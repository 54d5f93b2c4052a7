/**
 * Overrides made at run time: someone covers a team's role for a while ("can you take my shift
 * tonight?"), through the API, the CLI or the console, without a redeploy. Stored beside the
 * incidents, read at the moment of each page (rotations.ts puts them before the config's own
 * overrides), and announced to the people concerned at the override's start and end by two
 * one-time schedules, cancelled when the override is removed.
 */
import type { KlaxonConfig, Role, TeamConfig } from './config.js';
import { defaultTeam, responderById, teamById } from './config-lookups.js';
import { OVERRIDE_HANDOFF } from './page-kinds.js';
import type { Clock, IdGenerator, OneTimeSchedules, OverrideStore, ShiftOverride } from './ports.js';
import { InvalidOverrideError, OverrideNotFoundError } from './refusals.js';
import type { TeamCover } from './rotations.js';

export const OVERRIDE_EDGES = ['start', 'end'] as const;
export type OverrideEdge = (typeof OVERRIDE_EDGES)[number];

export const overrideScheduleName = (id: string, edge: OverrideEdge) => `ovr-${id}-${edge}`;

export interface OverrideDeps {
  config: KlaxonConfig;
  overrides: OverrideStore;
  schedules: OneTimeSchedules;
  clock: Clock;
  ids: IdGenerator;
}

export interface OverrideRequest {
  /** Default: the default team. */
  team?: string;
  role: Role;
  responder: string;
  from: string;
  to: string;
  reason: string;
  by: string;
}

/** One year: a cover further out is a rotation change, which belongs in the config. */
const LONGEST_AHEAD_MS = 366 * 86_400_000;

export async function addOverride(deps: OverrideDeps, request: OverrideRequest): Promise<ShiftOverride> {
  const team =
    request.team === undefined
      ? defaultTeam(deps.config)
      : deps.config.teams.find((candidate) => candidate.id === request.team);
  if (!team) {
    const ids = deps.config.teams.map((candidate) => candidate.id).join(', ');
    throw new InvalidOverrideError(`No team "${request.team}" (teams: ${ids})`);
  }
  if (!responderById(deps.config, request.responder)) {
    throw new InvalidOverrideError(`"${request.responder}" is not a responder id in the config`);
  }
  const from = Date.parse(request.from);
  const to = Date.parse(request.to);
  const now = deps.clock.now();
  if (!(from < to)) throw new InvalidOverrideError('"from" must be before "to"');
  if (to <= now.getTime()) throw new InvalidOverrideError(`"to" (${request.to}) is already past`);
  if (from > now.getTime() + LONGEST_AHEAD_MS) {
    throw new InvalidOverrideError('"from" is more than a year ahead: put a change that far out in the config');
  }
  const override: ShiftOverride = {
    id: deps.ids.next(),
    team: team.id,
    role: request.role,
    responder: request.responder,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    reason: request.reason,
    by: request.by,
    createdAt: now.toISOString(),
  };
  await deps.overrides.putOverride(override);
  // Stored first: a notice that fires finds it. A start already past gets its notice now.
  const payload = (edge: OverrideEdge) => ({
    target: 'page' as const,
    payload: { klaxon: OVERRIDE_HANDOFF, id: override.id, edge },
  });
  await deps.schedules.schedule(
    overrideScheduleName(override.id, 'start'),
    new Date(Math.max(from, now.getTime())),
    payload('start'),
  );
  await deps.schedules.schedule(overrideScheduleName(override.id, 'end'), new Date(to), payload('end'));
  return override;
}

/** The overrides not yet over at `at`, of one team or all, by start. */
export async function currentOverrides(
  deps: Pick<OverrideDeps, 'overrides'>,
  at: Date,
  team?: string,
): Promise<ShiftOverride[]> {
  return (await deps.overrides.listOverrides())
    .filter((override) => Date.parse(override.to) > at.getTime() && (team === undefined || override.team === team))
    .sort((a, b) => a.from.localeCompare(b.from) || a.id.localeCompare(b.id));
}

export async function removeOverride(deps: OverrideDeps, id: string): Promise<ShiftOverride> {
  const removed = await deps.overrides.removeOverride(id);
  if (!removed) throw new OverrideNotFoundError(`No override with id ${id}`);
  await deps.schedules.cancel(overrideScheduleName(id, 'start'));
  await deps.schedules.cancel(overrideScheduleName(id, 'end'));
  return removed;
}

/** A team with the run-time overrides read now: what paging, reminders and handoffs resolve roles from. */
export interface Roster {
  team: TeamConfig;
  covers: readonly TeamCover[];
}

export async function rosterOf(
  deps: { config: KlaxonConfig; overrides: OverrideStore },
  teamId: string | undefined,
): Promise<Roster> {
  const team = teamById(deps.config, teamId);
  const covers = (await deps.overrides.listOverrides()).filter((override) => override.team === team.id);
  return { team, covers };
}
