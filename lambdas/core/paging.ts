/**
 * One escalation step: resolve the step's roles to people now (so a handoff during an open
 * incident pages the new person), render each person's message and publish it to their topic.
 * Invoked by the state machine's "Page the responders" task, which retries on failure; a
 * person already paged for this step is not paged again by the retry.
 */
import type { KlaxonConfig, Responder, Role } from './config.js';
import { responderById } from './config.js';
import type { EscalationStep } from './ladder.js';
import { lifecycleEvent } from './lifecycle-events.js';
import type { PagingDeps } from './ports.js';
import { renderPage } from './templates.js';

export interface PageStepRequest {
  incidentId: string;
  step: EscalationStep;
}

export interface PageStepResult {
  paged: string[];
  skipped?: string;
}

export class PageDeliveryError extends Error {
  override name = 'PageDeliveryError';
}

export function whoFills(config: KlaxonConfig, roles: Role[]): Responder[] {
  const people = new Map<string, Responder>();
  for (const role of roles) {
    const responder = responderById(config, config.roles[role]);
    if (responder) people.set(responder.id, responder);
  }
  return [...people.values()];
}

const pageKey = (step: EscalationStep, responderId: string) =>
  `paged#${step.run ? `r${step.run}#` : ''}${step.index}#${responderId}`;

export async function pageStep(deps: PagingDeps, request: PageStepRequest): Promise<PageStepResult> {
  const { incidentId, step } = request;
  const incident = await deps.store.getIncident(incidentId);
  if (!incident) throw new PageDeliveryError(`Incident ${incidentId} does not exist; nothing to page`);
  // The state machine checked before calling, but an acknowledgement or resolve can land in between.
  if (incident.status === 'resolved') return { paged: [], skipped: 'incident resolved' };
  if (step.unless === 'acknowledged' && incident.status === 'acknowledged') {
    return { paged: [], skipped: 'incident acknowledged' };
  }

  const message = renderPage(incident, step, {
    apiBaseUrl: deps.apiBaseUrl,
    tier: deps.config.severityPolicy[incident.severity],
  });
  const paged: string[] = [];
  const failures: string[] = [];
  for (const responder of whoFills(deps.config, step.notify)) {
    const key = pageKey(step, responder.id);
    if (await deps.store.hasTimelineEntry(incidentId, key)) continue;
    try {
      await deps.pager.page({ responder, incidentId, ...message });
    } catch (error) {
      failures.push(`${responder.id}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    const at = deps.clock.now().toISOString();
    // Before the timeline entry: a retry skips people already in the timeline, so mark first.
    if (step.index > 0) await deps.store.markEscalated(incidentId, at);
    await deps.store.appendTimeline(incidentId, key, {
      at,
      type: 'paged',
      by: 'klaxon',
      responder: responder.id,
      channels: step.channels,
      step: step.index,
      message: `Paged ${responder.name} (${step.notify.join(', ')}) by ${step.channels.join(' and ')}`,
    });
    await deps.events.publish([
      lifecycleEvent('paged', incident, at, { responder: responder.id, channels: step.channels, step: step.index }),
    ]);
    paged.push(responder.id);
  }
  // Failing the task makes the state machine retry it; those already paged are skipped then.
  if (failures.length > 0) throw new PageDeliveryError(`Could not page ${failures.join('; ')}`);
  return { paged };
}
