/**
 * Fire drills (the runbooks' monthly drill): a real incident, marked as a drill, that runs its
 * tier's ladder and pages with a [DRILL] tag, and that reports leave out. It is opened here rather
 * than through an alert so that it is a drill from its first page on.
 */
import type { Severity } from './config.js';
import type { Incident } from './incident.js';
import { escalationInputFor } from './intake.js';
import { lifecycleEvent } from './lifecycle-events.js';
import type { CoreDeps } from './ports.js';

export interface DrillRequest {
  severity: Severity;
  title: string;
  by: string;
  /** Sent again on a retry, the same drill is returned instead of a second one. */
  id?: string;
}

export async function startDrill(deps: CoreDeps, request: DrillRequest): Promise<Incident> {
  const id = request.id ?? deps.ids.next();
  const now = deps.clock.now().toISOString();
  const written = await deps.store.createIncident({
    id,
    title: request.title,
    severity: request.severity,
    status: 'open',
    service: 'drill',
    dedupKey: `drill/${id}`,
    source: 'manual',
    summary: `Fire drill started by ${request.by}: ${request.title}`,
    openedAt: now,
    drill: true,
    alertCount: 1,
    lastAlertAt: now,
    details: { drill: 'true', startedBy: request.by },
  });
  const incident = written.incident;
  await deps.store.appendTimeline(id, 'opened', {
    at: incident.openedAt,
    type: 'opened',
    by: request.by,
    message: `Drill opened by ${request.by}: ${request.title}`,
  });
  if (incident.executionArn) return incident;
  // Same order as intake: a crash before the ARN is recorded is repaired by a retry (the start is idempotent).
  const input = escalationInputFor(deps, incident);
  const { executionArn } = await deps.escalation.start(input);
  await deps.store.appendTimeline(id, 'escalation-started', {
    at: deps.clock.now().toISOString(),
    type: 'escalation-started',
    message: `Drill escalation started: ${input.steps.length} step(s) for ${incident.severity}`,
    executionArn,
  });
  await deps.events.publish([lifecycleEvent('opened', incident, incident.openedAt)]);
  await deps.store.setExecutionArn(id, executionArn, input.openedAt);
  return { ...incident, executionArn, ladderStartedAt: input.openedAt };
}
