/**
 * Handoff notifications: when a team's rotation hands a role to the next person, or an override
 * starts (or one made at run time starts or ends), the incoming person is told which role they
 * now hold, until when, and which open incidents they now hold. Scheduled on AWS by EventBridge
 * Scheduler (cron per rotation in its time zone, one `at()` per config override, run-time
 * overrides' one-time schedules: nothing polls), locally by timers; all call `notifyHandoff`.
 *
 * Idempotent per handoff: a conditional put of `HANDOFF#<source>#<role>#<at>` decides who sends,
 * so a duplicate invocation notifies once, and the record is marked sent after the publish. A
 * failed publish releases the claim and throws, so the retry sends it; a claim left unsent past
 * the page function's timeout (its invocation crashed or timed out) may be taken over by a retry.
 */
import { DateTime } from 'luxon';
import type { KlaxonConfig, Role, TeamConfig } from './config.js';
import { responderById } from './config-lookups.js';
import { ROLES } from './config-terms.js';
import type { Incident } from './incident.js';
import type { OverrideEdge } from './overrides.js';
import type { PagingDeps, ShiftOverride } from './ports.js';
import { onCallFor, rotationShift, whoIsOnCall } from './rotations.js';
import { renderHandoff } from './templates.js';

/**
 * What the scheduler sends: which team's rotation or config override, and when it fired (its
 * scheduled time); or which edge of an override made at run time (core/overrides.ts).
 */
export type HandoffRequest =
  | { handoff: 'rotation'; team: string; rotation: string; at: string }
  | { handoff: 'override'; team: string; override: number; at: string }
  | { handoff: 'cover'; id: string; edge: OverrideEdge; at: string };

export interface HandoffRecords {
  /**
   * True when this call claimed the handoff: nobody had, the claim was given back, or it was made
   * before `staleBefore` and never marked sent. False when it is sent or held by a live claim.
   */
  claimHandoff(key: string, at: string, staleBefore: string): Promise<boolean>;
  /** Gives a claim back after the notification could not be sent, so a retry sends it. */
  releaseHandoff(key: string, at: string): Promise<void>;
  /** The notification went out: no retry claims it again. */
  markHandoffSent(key: string, at: string): Promise<void>;
}

/**
 * The page function's timeout (lib/paging.ts sets it from here). A handoff claim older than this
 * belongs to an invocation that has ended, so one never marked sent was cut short before or
 * during its publish.
 */
export const PAGE_FUNCTION_TIMEOUT_SECONDS = 30;

export type HandoffDeps = Pick<PagingDeps, 'config' | 'store' | 'pager' | 'clock' | 'overrides'> & {
  handoffs: HandoffRecords;
};

/** One person taking over one role at one instant. */
export interface Handoff {
  key: string;
  team: string;
  role: Role;
  responder: string;
  /** ISO-8601 UTC: the handoff. */
  at: string;
  /** ISO-8601 UTC: when they hand over in turn, if known. */
  until?: string;
  timeZone: string;
}

export interface HandoffResult {
  notified: string[];
  skipped: string[];
}

/**
 * The handoffs a rotation or override makes at (or last before) `at`: one per role whose person
 * changes. `covers` are the run-time overrides stored now: an override that holds the role at a
 * rotation's handoff means the rotation's person is not on call, and gets no notice.
 */
export function handoffsAt(config: KlaxonConfig, request: HandoffRequest, covers: readonly ShiftOverride[]): Handoff[] {
  const firedAt = new Date(Date.parse(request.at));
  if (Number.isNaN(firedAt.getTime())) return [];
  if (request.handoff === 'cover') return coverHandoffs(config, request, covers);
  const team = config.teams.find((candidate) => candidate.id === request.team);
  if (!team) return [];
  if (request.handoff === 'override') {
    const override = team.overrides[request.override];
    if (!override || Date.parse(override.to) <= firedAt.getTime()) return [];
    const at = new Date(Date.parse(override.from));
    return changed(team, override.role, at, covers) && onCallFor(team, override.role, at, covers) === override.responder
      ? [
          {
            key: `override#${team.id}#${request.override}#${override.role}#${at.toISOString()}`,
            team: team.id,
            role: override.role,
            responder: override.responder,
            at: at.toISOString(),
            until: override.to,
            timeZone: 'UTC',
          },
        ]
      : [];
  }
  const rotation = team.rotations.find((candidate) => candidate.id === request.rotation);
  if (!rotation) return [];
  // A scheduler fires at the handoff or a little after: the last handoff at or before it is the one.
  const handoffAt = rotationShift(rotation, firedAt).from;
  if (!handoffAt) return [];
  const at = new Date(Date.parse(handoffAt));
  return ROLES.filter((role) => team.onCall[role]?.rotation === rotation.id)
    .filter((role) => changed(team, role, at, covers))
    .map((role) => ({
      key: `rotation#${team.id}#${rotation.id}#${role}#${handoffAt}`,
      team: team.id,
      role,
      responder: onCallFor(team, role, at, covers),
      at: handoffAt,
      until: whoIsOnCall(team, [role], at, covers)[0]?.until,
      timeZone: rotation.timeZone,
    }));
}

/**
 * A run-time override's edge: at its start the covering person takes the role; at its end
 * whoever holds the role next takes it back. An override removed since (its schedules are
 * cancelled, but one may already be under way) makes no handoff.
 */
function coverHandoffs(
  config: KlaxonConfig,
  request: Extract<HandoffRequest, { handoff: 'cover' }>,
  covers: readonly ShiftOverride[],
): Handoff[] {
  const override = covers.find((candidate) => candidate.id === request.id);
  const team = override && config.teams.find((candidate) => candidate.id === override.team);
  if (!override || !team) return [];
  const at = new Date(Date.parse(request.edge === 'start' ? override.from : override.to));
  if (!changed(team, override.role, at, covers)) return [];
  return [
    {
      key: `cover#${override.id}#${request.edge}`,
      team: team.id,
      role: override.role,
      responder: onCallFor(team, override.role, at, covers),
      at: at.toISOString(),
      until: whoIsOnCall(team, [override.role], at, covers)[0]?.until,
      timeZone: 'UTC',
    },
  ];
}

/** Whether the role's person at `at` differs from the one a moment before. */
function changed(team: TeamConfig, role: Role, at: Date, covers: readonly ShiftOverride[]): boolean {
  return onCallFor(team, role, at, covers) !== onCallFor(team, role, new Date(at.getTime() - 1), covers);
}

/**
 * The unresolved incidents the incoming person now holds: those assigned to them, and, for the
 * primary role, every unresolved incident of the team nobody was assigned (the team's primary has those).
 */
export async function incidentsHeldBy(deps: Pick<HandoffDeps, 'store'>, responder: string, role: Role, team: string) {
  const held: Incident[] = [];
  for (const status of ['open', 'acknowledged'] as const) {
    let cursor: string | undefined;
    do {
      const page = await deps.store.listByStatus(status, { limit: 100, cursor });
      held.push(
        ...page.incidents.filter(
          (incident) =>
            incident.assignee === responder || (role === 'primary' && !incident.assignee && incident.team === team),
        ),
      );
      cursor = page.next;
    } while (cursor);
  }
  return held.sort((a, b) => a.openedAt.localeCompare(b.openedAt));
}

export async function notifyHandoff(deps: HandoffDeps, request: HandoffRequest): Promise<HandoffResult> {
  const result: HandoffResult = { notified: [], skipped: [] };
  const covers = await deps.overrides.listOverrides();
  for (const handoff of handoffsAt(deps.config, request, covers)) {
    const responder = responderById(deps.config, handoff.responder);
    if (!responder) continue;
    const now = deps.clock.now();
    const staleBefore = new Date(now.getTime() - PAGE_FUNCTION_TIMEOUT_SECONDS * 1000).toISOString();
    if (!(await deps.handoffs.claimHandoff(handoff.key, now.toISOString(), staleBefore))) {
      result.skipped.push(handoff.key);
      continue;
    }
    const incidents = await incidentsHeldBy(deps, responder.id, handoff.role, handoff.team);
    const untilLocal = handoff.until
      ? (DateTime.fromISO(handoff.until).setZone(handoff.timeZone).toFormat("ccc d LLL HH:mm '('z')'") ?? undefined)
      : undefined;
    try {
      await deps.pager.page({
        responder,
        purpose: 'handoff',
        ...renderHandoff({
          responder,
          role: handoff.role,
          ...(deps.config.teams.length > 1 ? { team: handoff.team } : {}),
          until: handoff.until,
          untilLocal,
          incidents,
        }),
      });
    } catch (error) {
      await deps.handoffs.releaseHandoff(handoff.key, deps.clock.now().toISOString());
      throw error;
    }
    // A failure here leaves the claim unsent: a retry after the timeout sends it again (at least once).
    await deps.handoffs.markHandoffSent(handoff.key, deps.clock.now().toISOString());
    result.notified.push(responder.id);
  }
  return result;
}
