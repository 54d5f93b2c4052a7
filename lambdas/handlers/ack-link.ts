/**
 * A responder's signed acknowledge link (`/v1/ack/{token}`, in every page). GET only shows a
 * confirm page, because mail scanners and chat previews fetch links by themselves; the page's
 * button POSTs, and the POST acknowledges. Answers are small HTML pages a person on a phone can
 * read: forged, expired and reused links each say which.
 */
import { verifyAckToken } from '../core/ack-tokens.js';
import { acknowledgeIncident, IncidentNotFoundError, TransitionRefusedError } from '../core/responder-actions.js';
import type { HandlerDeps } from './deps.js';
import { type HttpEvent, type HttpResult, MalformedPathError, pathParameter } from './http.js';

type Route = (deps: HandlerDeps, event: HttpEvent) => Promise<HttpResult>;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

function page(statusCode: number, title: string, paragraphs: string[], form?: string): HttpResult {
  const body = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex">',
    `<title>${escapeHtml(title)} · Klaxon</title></head>`,
    '<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 2rem auto; padding: 0 1rem">',
    `<h1>${escapeHtml(title)}</h1>`,
    ...paragraphs.map((text) => `<p>${escapeHtml(text)}</p>`),
    form ?? '',
    '</body></html>',
  ].join('\n');
  return {
    statusCode,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // The token is in the URL: never hand it to another site. Same-origin (not no-referrer),
      // so the confirm button's POST carries this origin, which the local runtime checks.
      'referrer-policy': 'same-origin',
    },
    body,
  };
}

type Checked =
  | { ok: true; incidentId: string; responderId: string; useKey: string }
  | { ok: false; result: HttpResult };

async function check(deps: HandlerDeps, event: HttpEvent): Promise<Checked> {
  if (!deps.ackKey) {
    return { ok: false, result: page(503, 'Ack links are not set up', ['Acknowledge with the CLI or the console.']) };
  }
  let token: string;
  try {
    token = pathParameter(event, 'token');
  } catch (error) {
    if (!(error instanceof MalformedPathError)) throw error;
    return { ok: false, result: page(400, 'This link is not valid', [error.message]) };
  }
  const verdict = verifyAckToken(await deps.ackKey.key(), token, deps.clock.now(), deps.config);
  if (!verdict.valid) {
    const title = verdict.reason === 'expired' ? 'This link has expired' : 'This link is not valid';
    return { ok: false, result: page(verdict.reason === 'expired' ? 410 : 400, title, [verdict.message]) };
  }
  const { incidentId, responderId } = verdict.claims;
  if (await deps.store.hasTimelineEntry(incidentId, verdict.useKey)) {
    return {
      ok: false,
      result: page(410, 'This link was already used', [
        `Each acknowledge link works once. Incident ${incidentId} was acknowledged with it already.`,
      ]),
    };
  }
  return { ok: true, incidentId, responderId, useKey: verdict.useKey };
}

const confirm: Route = async (deps, event) => {
  const checked = await check(deps, event);
  if (!checked.ok) return checked.result;
  const incident = await deps.store.getIncident(checked.incidentId);
  if (!incident) return page(404, 'No such incident', [`Incident ${checked.incidentId} does not exist.`]);
  return page(
    200,
    `Acknowledge ${incident.drill ? '[DRILL] ' : ''}${incident.severity}: ${incident.title}?`,
    [
      `Incident ${incident.id} is ${incident.status}. Acknowledging stops the escalation to the next person.`,
      `You are acknowledging as ${checked.responderId}.`,
    ],
    // Relative action: the same URL, whatever the host or stage.
    '<form method="post"><button type="submit" style="font-size: 1.25rem; padding: 0.5rem 1.5rem">Acknowledge</button></form>',
  );
};

const acknowledge: Route = async (deps, event) => {
  const checked = await check(deps, event);
  if (!checked.ok) return checked.result;
  let result: Awaited<ReturnType<typeof acknowledgeIncident>>;
  try {
    result = await acknowledgeIncident(deps, checked.incidentId, checked.responderId);
  } catch (error) {
    if (error instanceof IncidentNotFoundError) return page(404, 'No such incident', [error.message]);
    if (error instanceof TransitionRefusedError) return page(409, 'Nothing to acknowledge', [error.message]);
    throw error;
  }
  // Recorded after the acknowledgement, so a crash in between leaves the link usable for the retry.
  const firstUse = await deps.store.appendTimeline(checked.incidentId, checked.useKey, {
    at: deps.clock.now().toISOString(),
    type: 'ack-link-used',
    by: checked.responderId,
    message: `${checked.responderId} used their acknowledge link`,
  });
  if (!firstUse) {
    return page(410, 'This link was already used', [
      `Incident ${checked.incidentId} was acknowledged with it already.`,
    ]);
  }
  const who = result.incident.acknowledgedBy ?? checked.responderId;
  return page(200, 'Acknowledged', [
    `Incident ${result.incident.id} (${result.incident.severity}: ${result.incident.title}) is acknowledged by ${who}.`,
    result.changed ? 'The escalation stops here.' : `It was already acknowledged by ${who}.`,
  ]);
};

export const ACK_LINK_ROUTES: Record<string, Route> = {
  'GET /v1/ack/{token}': confirm,
  'POST /v1/ack/{token}': acknowledge,
};
