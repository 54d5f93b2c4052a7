/**
 * `POST /v1/drills` opens an incident marked as a drill: it walks the tier's real ladder, every
 * message it sends says [DRILL], and reports leave it out.
 */
import { z } from 'zod';
import { receiveAlert } from '../core/intake.js';
import { drillBodySchema } from '../schemas/drills.js';
import type { HandlerDeps } from './deps.js';
import { BadRequestError, type HttpEvent, type HttpResult, json, readJsonBody } from './http.js';

type Route = (deps: HandlerDeps, event: HttpEvent) => Promise<HttpResult>;

const startDrill: Route = async (deps, event) => {
  const parsed = drillBodySchema.safeParse(event.body ? readJsonBody(event) : {});
  if (!parsed.success) throw new BadRequestError(`Invalid body: ${z.prettifyError(parsed.error)}`);
  const drill = parsed.data;
  const id = deps.ids.next();
  const now = deps.clock.now().toISOString();
  const outcome = await receiveAlert(deps, {
    source: 'manual',
    action: 'trigger',
    // Each drill is its own incident: a fresh dedup key, and the request id for redeliveries.
    dedupKey: `drill:${id}`,
    deliveryId: event.requestContext?.requestId ?? id,
    title: drill.title,
    summary: drill.summary,
    severityText: drill.severity,
    service: drill.service,
    occurredAt: now,
    details: { drill: 'true', startedBy: drill.by ?? 'api' },
    actor: drill.by ?? 'api',
    drill: true,
  });
  if (outcome.outcome !== 'opened' && outcome.outcome !== 'deduplicated') {
    throw new Error(`A drill trigger came back as ${outcome.outcome}`);
  }
  return json(201, outcome.incident);
};

export const DRILL_ROUTES: Record<string, Route> = {
  'POST /v1/drills': startDrill,
};
