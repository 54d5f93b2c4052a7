/**
 * Fire drills (the runbooks' monthly drill): a real incident, marked as a drill, that runs its
 * tier's ladder and pages with a [DRILL] tag, and that reports leave out. It is opened here rather
 * than through an alert so that it is a drill from its first page on.
 */
import type { Severity } from './config.js';
import { defaultTeam } from './config-lookups.js';
import type { Incident } from './incident.js';
import { lifecycleEvent } from './lifecycle-events.js';
import type { CoreDeps } from './ports.js';
import { DrillIdTakenError, UnknownTeamError } from './refusals.js';
import { startRun, tierLadder } from './run-control.js';
import { firstRun } from './runs.js';

export interface DrillRequest {
  severity: Severity;
  title: string;
  by: string;
  /** Sent again on a retry, the same drill is returned instead of a second one. */
  id?: string;
  /** The team whose people it pages (default: the default team). */
  team?: string;
}

export async function startDrill(deps: CoreDeps, request: DrillRequest): Promise<Incident> {
  const team =
    request.team === undefined
      ? defaultTeam(deps.config)
      : deps.config.teams.find((candidate) => candidate.id === request.team);
  if (!team)
    throw new UnknownTeamError(`No team "${request.team}" (teams: ${deps.config.teams.map((t) => t.id).join(', ')})`);
  const id = request.id ?? deps.ids.next();
  const taken = () =>
    new DrillIdTakenError(`Incident ${id} exists and is no drill: give the drill an id of its own, or none`);
  // A retry finds its own drill and finishes it, without a second number; a real incident's id is refused.
  const earlier = request.id === undefined ? undefined : await deps.store.getIncident(id);
  if (earlier && !earlier.drill) throw taken();
  const now = deps.clock.now().toISOString();
  const written = earlier
    ? { incident: earlier }
    : await deps.store.createIncident({
        id,
        // Two first tries racing with one id allot two numbers; the loser's names nothing (findByNumber).
        number: await deps.store.allotIncidentNumber(),
        title: request.title,
        severity: request.severity,
        status: 'open',
        service: 'drill',
        team: team.id,
        dedupKey: `drill/${id}`,
        source: 'manual',
        summary: `Fire drill started by ${request.by}: ${request.title}`,
        openedAt: now,
        drill: true,
        alertCount: 1,
        lastAlertAt: now,
        details: { drill: 'true', startedBy: request.by },
        run: firstRun({
          by: request.by,
          at: now,
          ladder: tierLadder(deps.config, id, team.id, request.severity, now, 1),
        }),
      });
  const incident = written.incident;
  if (!incident.drill) throw taken();
  // Same as intake: everything is idempotent, so a retry with the same id finishes a drill cut short.
  return startRun(deps, incident, {
    alongside: [
      deps.store.appendTimeline(id, 'opened', {
        at: incident.openedAt,
        type: 'opened',
        by: request.by,
        message: `Drill opened by ${request.by}: ${request.title}`,
      }),
      deps.events.publish([lifecycleEvent('opened', incident, incident.openedAt)]),
    ],
  });
}
