/**
 * A responder's signed acknowledge link (`/v1/ack/{token}`, in every page). GET only shows a
 * confirm page, because mail scanners and chat previews fetch links by themselves; the page's
 * button POSTs, and the POST acknowledges. Answers are small HTML pages a person on a phone can
 * read: forged, expired and reused links each say which. Whether a link still works is core's
 * decision (lambdas/core/ack-links.ts); this file only shows it.
 */
import { type AckLinkRefusal, checkAckLink, type UsableAckLink, useAckLink } from '../core/ack-links.js';
import type { HandlerDeps } from './deps.js';
import { escapeHtml, htmlResult, page } from './html.js';
import { type HttpEvent, type HttpResult, httpErrorOf, pathParameter } from './http.js';

type Route = (deps: HandlerDeps, event: HttpEvent) => Promise<HttpResult>;

function ackPage(statusCode: number, title: string, paragraphs: string[], form = ''): HttpResult {
  const body = [`<h1>${escapeHtml(title)}</h1>`, ...paragraphs.map((text) => `<p>${escapeHtml(text)}</p>`), form];
  return htmlResult(statusCode, page(title, body.join('\n'), { consoleLink: false, narrow: true }));
}

const REFUSED_TITLES: Record<AckLinkRefusal, [number, string]> = {
  forged: [400, 'This link is not valid'],
  expired: [410, 'This link has expired'],
  used: [410, 'This link was already used'],
};

/** The refusals an ack route can meet, as the person holding the link reads them; jsonErrors answers any other. */
const STATUS_TITLES: Record<number, string> = {
  400: 'This link is not valid',
  404: 'No such incident',
  409: 'Nothing to acknowledge',
};

async function usableLink(
  deps: HandlerDeps,
  event: HttpEvent,
): Promise<{ link: UsableAckLink } | { refused: HttpResult }> {
  if (!deps.ackKey) {
    return { refused: ackPage(503, 'Ack links are not set up', ['Acknowledge with the CLI or the console.']) };
  }
  const checked = await checkAckLink(deps, deps.ackKey, pathParameter(event, 'token'));
  if (checked.usable) return { link: checked };
  const [status, title] = REFUSED_TITLES[checked.reason];
  return { refused: ackPage(status, title, [checked.message]) };
}

/** Refusals (a damaged link, no such incident, nothing to acknowledge) shown as a page, not as JSON. */
function inAPage(route: Route): Route {
  return async (deps, event) => {
    try {
      return await route(deps, event);
    } catch (error) {
      const refused = httpErrorOf(error);
      const title = refused && STATUS_TITLES[refused.statusCode];
      if (!refused || !title) throw error;
      return ackPage(refused.statusCode, title, [refused.message]);
    }
  };
}

const confirm: Route = async (deps, event) => {
  const checked = await usableLink(deps, event);
  if ('refused' in checked) return checked.refused;
  const { link } = checked;
  const incident = await deps.store.getIncident(link.incidentId);
  if (!incident) return ackPage(404, 'No such incident', [`Incident ${link.incidentId} does not exist.`]);
  return ackPage(
    200,
    `Acknowledge ${incident.drill ? '[DRILL] ' : ''}${incident.severity}: ${incident.title}?`,
    [
      `Incident ${incident.id} is ${incident.status}. Acknowledging stops the escalation to the next person.`,
      `You are acknowledging as ${link.responderId}.`,
    ],
    // Relative action: the same URL, whatever the host or stage.
    '<form method="post"><button class="primary" type="submit" style="font-size:1.25rem">Acknowledge</button></form>',
  );
};

const acknowledge: Route = async (deps, event) => {
  const checked = await usableLink(deps, event);
  if ('refused' in checked) return checked.refused;
  const { link } = checked;
  const use = await useAckLink(deps, link);
  if (!use.used) return ackPage(410, REFUSED_TITLES.used[1], [use.message]);
  const { incident, changed } = use.result;
  const who = incident.acknowledgedBy ?? link.responderId;
  return ackPage(200, 'Acknowledged', [
    `Incident ${incident.id} (${incident.severity}: ${incident.title}) is acknowledged by ${who}.`,
    changed ? 'The escalation stops here.' : `It was already acknowledged by ${who}.`,
  ]);
};

/** `GET /v1/ack/{token}`: a page that says what acknowledging does, with the button that does it. */
export const confirmByLink = inAPage(confirm);
/** `POST /v1/ack/{token}`: acknowledges, once. */
export const acknowledgeByLink = inAPage(acknowledge);
