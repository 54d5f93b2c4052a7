/**
 * Handoff notifications: when a rotation hands a role to the next person, or an override starts,
 * the incoming person is told which role they now hold, until when, and which open incidents
 * they now hold. Scheduled on AWS by EventBridge Scheduler (cron per rotation in its time zone,
 * one `at()` per override: nothing polls), locally by timers; both call `notifyHandoff`.
 *
 * Idempotent per handoff: a conditional put of `HANDOFF#<source>#<role>#<at>` decides who sends,
 * so a duplicate invocation notifies once, and the record is marked sent after the publish. A
 * failed publish releases the claim and throws, so the retry sends it; a claim left unsent past
 * the page function's timeout (its invocation crashed or timed out) may be taken over by a retry.
 */
import { DateTime } from 'luxon';
import { type KlaxonConfig, ROLES, type Role, responderById } from './config.js';
import type { Incident } from './incident.js';
import type { PagingDeps } from './ports.js';
import { onCallFor, rotationShift, whoIsOnCall } from './rotations.js';
import { renderHandoff } from './templates.js';

/** What the scheduler sends: which rotation or override, and when it fired (its scheduled time). */
export type HandoffRequest =
  | { handoff: 'rotation'; rotation: string; at: string }
  | { handoff: 'override'; override: number; at: string };

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

export type HandoffDeps = Pick<PagingDeps, 'config' | 'store' | 'pager' | 'clock'> & { handoffs: HandoffRecords };

/** One person taking over one role at one instant. */
export interface Handoff {
  key: string;
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

/** The handoffs a rotation or override makes at (or last before) `at`: one per role whose person changes. */
export function handoffsAt(config: KlaxonConfig, request: HandoffRequest): Handoff[] {
  const firedAt = new Date(Date.parse(request.at));
  if (Number.isNaN(firedAt.getTime())) return [];
  if (request.handoff === 'override') {
    const override = config.overrides[request.override];
    if (!override || Date.parse(override.to) <= firedAt.getTime()) return [];
    const at = new Date(Date.parse(override.from));
    return changed(config, override.role, at)
      ? [
          {
            key: `override#${request.override}#${override.role}#${at.toISOString()}`,
            role: override.role,
            responder: override.responder,
            at: at.toISOString(),
            until: override.to,
            timeZone: 'UTC',
          },
        ]
      : [];
  }
  const rotation = config.rotations.find((candidate) => candidate.id === request.rotation);
  if (!rotation) return [];
  // A scheduler fires at the handoff or a little after: the last handoff at or before it is the one.
  const handoffAt = rotationShift(rotation, firedAt).from;
  if (!handoffAt) return [];
  const at = new Date(Date.parse(handoffAt));
  return ROLES.filter((role) => config.onCall[role]?.rotation === rotation.id)
    .filter((role) => changed(config, role, at))
    .map((role) => ({
      key: `rotation#${rotation.id}#${role}#${handoffAt}`,
      role,
      responder: onCallFor(config, role, at),
      at: handoffAt,
      until: whoIsOnCall(config, [role], at)[0]?.until,
      timeZone: rotation.timeZone,
    }));
}

/** Whether the role's person at `at` differs from the one a moment before (an override may already hold it). */
function changed(config: KlaxonConfig, role: Role, at: Date): boolean {
  return onCallFor(config, role, at) !== onCallFor(config, role, new Date(at.getTime() - 1));
}

/**
 * The unresolved incidents the incoming person now holds: those assigned to them, and, for the
 * primary role, every unresolved incident nobody was assigned (the rota's primary has those).
 */
export async function incidentsHeldBy(deps: Pick<HandoffDeps, 'store'>, responder: string, role: Role) {
  const held: Incident[] = [];
  for (const status of ['open', 'acknowledged'] as const) {
    let cursor: string | undefined;
    do {
      const page = await deps.store.listByStatus(status, { limit: 100, cursor });
      held.push(
        ...page.incidents.filter(
          (incident) => incident.assignee === responder || (role === 'primary' && !incident.assignee),
        ),
      );
      cursor = page.next;
    } while (cursor);
  }
  return held.sort((a, b) => a.openedAt.localeCompare(b.openedAt));
}

export async function notifyHandoff(deps: HandoffDeps, request: HandoffRequest): Promise<HandoffResult> {
  const result: HandoffResult = { notified: [], skipped: [] };
  for (const handoff of handoffsAt(deps.config, request)) {
    const responder = responderById(deps.config, handoff.responder);
    if (!responder) continue;
    const now = deps.clock.now();
    const staleBefore = new Date(now.getTime() - PAGE_FUNCTION_TIMEOUT_SECONDS * 1000).toISOString();
    if (!(await deps.handoffs.claimHandoff(handoff.key, now.toISOString(), staleBefore))) {
      result.skipped.push(handoff.key);
      continue;
    }
    const incidents = await incidentsHeldBy(deps, responder.id, handoff.role);
    const untilLocal = handoff.until
      ? (DateTime.fromISO(handoff.until).setZone(handoff.timeZone).toFormat("ccc d LLL HH:mm '('z')'") ?? undefined)
      : undefined;
    try {
      await deps.pager.page({
        responder,
        purpose: 'handoff',
        ...renderHandoff({ responder, role: handoff.role, until: handoff.until, untilLocal, incidents }),
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
