/**
 * The web console's HTML: plain server-rendered pages, no script, no external fonts or CDNs.
 * Everything that comes from an alert is escaped (an alarm name can carry <script>), and the
 * answer's Content-Security-Policy forbids scripts anyway.
 */
import { alertGroupLines, type SenderContext } from '../core/alert.js';
import type { ChangeEvent } from '../core/change-events.js';
import type { KlaxonConfig, Severity } from '../core/config.js';
import { ROLES, responderById } from '../core/config.js';
import { type Incident, type IncidentWithTimeline, incidentRef } from '../core/incident.js';
import { escapeHtml, page } from './html.js';

/** Colours with at least 4.5:1 contrast against their text; the tier is also written out. */
const SEVERITY_COLOURS: Record<Severity, string> = {
  SEV1: 'background:#9b1c1c;color:#fff',
  SEV2: 'background:#b45309;color:#fff',
  SEV3: 'background:#fde68a;color:#1f2937',
  SEV4: 'background:#e5e7eb;color:#1f2937',
};

const when = (at: string | undefined) => (at ? `${at.slice(0, 10)} ${at.slice(11, 19)} UTC` : '–');
const incidentPath = (id: string) => `/incidents/${encodeURIComponent(id)}`;

export const severityBadge = (severity: Severity) =>
  `<span class="sev" style="${SEVERITY_COLOURS[severity]}">${escapeHtml(severity)}</span>`;

function incidentRows(incidents: Incident[]): string {
  return incidents
    .map(
      (incident) => `<tr>
<td>${severityBadge(incident.severity)}</td>
<td><a href="${escapeHtml(incidentPath(incident.id))}">${incidentRef(incident)} ${incident.drill ? '[DRILL] ' : ''}${escapeHtml(incident.title)}</a></td>
<td class="status-${escapeHtml(incident.status)}">${escapeHtml(incident.status)}</td>
<td>${escapeHtml(incident.service)}</td>
<td>${escapeHtml(when(incident.openedAt))}</td>
</tr>`,
    )
    .join('\n');
}

export function onCallSection(config: KlaxonConfig): string {
  const rows = ROLES.map((role) => {
    const responder = responderById(config, config.roles[role]);
    return `<tr><th scope="row">${escapeHtml(role)}</th><td>${escapeHtml(responder?.name ?? '(nobody)')}</td><td>${escapeHtml(responder?.id ?? '')}</td></tr>`;
  }).join('\n');
  return `<section aria-labelledby="oncall"><h2 id="oncall">On call</h2>
<table><thead><tr><th scope="col">Role</th><th scope="col">Name</th><th scope="col">Responder id</th></tr></thead>
<tbody>${rows}</tbody></table></section>`;
}

export interface OutboxLine {
  at: string;
  service: string;
  responder?: string | null;
  subject?: string;
  detailType?: string;
  incidentId?: string;
  /** An SMS sent straight to a number (the answer to an SMS reply): its text. */
  sms?: string | null;
}

function outboxWhat(message: OutboxLine): string {
  if (message.service === 'sns') return `page to ${message.responder}`;
  if (message.service === 'sms') return `SMS reply to ${message.responder ?? 'an unknown number'}`;
  return 'event';
}

export function outboxSection(messages: OutboxLine[]): string {
  const rows = messages
    .slice(-25)
    .reverse()
    .map(
      (message) =>
        `<tr><td>${escapeHtml(when(message.at))}</td><td>${escapeHtml(outboxWhat(message))}</td><td>${escapeHtml(message.subject ?? message.detailType ?? (message.service === 'sms' ? message.sms : '') ?? '')}</td></tr>`,
    )
    .join('\n');
  return `<section aria-labelledby="outbox"><h2 id="outbox">Outbox (this machine: what SNS and EventBridge would have sent)</h2>
${rows ? `<table><thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Subject</th></tr></thead><tbody>${rows}</tbody></table>` : '<p>Nothing sent yet.</p>'}</section>`;
}

/** A status with more unresolved incidents than the page shows, and the API cursor to the rest. */
export interface MorePage {
  status: 'open' | 'acknowledged';
  cursor: string;
}

/**
 * The link to a status's next page. Relative (query only), so it stays under whatever base path
 * the console is served from.
 */
function morePageLink(more: MorePage, text: string): string {
  const href = `?${new URLSearchParams({ status: more.status, cursor: more.cursor })}`;
  return `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
}

function unresolvedTable(incidents: Incident[], caption: string): string {
  return `<table><caption class="visually-hidden">${escapeHtml(caption)}</caption>
<thead><tr><th scope="col">Severity</th><th scope="col">Incident</th><th scope="col">Status</th><th scope="col">Service</th><th scope="col">Opened</th></tr></thead>
<tbody>${incidentRows(incidents)}</tbody></table>`;
}

export function homePage(
  config: KlaxonConfig,
  unresolved: Incident[],
  outbox?: OutboxLine[],
  more: MorePage[] = [],
): string {
  const table = unresolved.length
    ? unresolvedTable(unresolved, 'Unresolved incidents, newest first')
    : '<p>No open incidents.</p>';
  // Said before the table too: a responder scanning a long list must know it is not all of them.
  const notice = more.length
    ? `<div class="alert" role="status" data-testid="more"><p>Not every unresolved incident is shown here: only the newest ${more.map((item) => item.status).join(' and ')} ones.</p>
<ul>${more.map((item) => `<li>${morePageLink(item, `Next page of ${item.status} incidents`)}</li>`).join('')}</ul></div>`
    : '';
  return page(
    'Incidents',
    `<h1>Open incidents</h1>
${notice}
${table}
${onCallSection(config)}
${outbox ? outboxSection(outbox) : ''}`,
  );
}

/** One further page of a status's incidents, reached from the home page's next-page link. */
export function continuationPage(status: MorePage['status'], incidents: Incident[], next: string | undefined): string {
  const label = status === 'open' ? 'Open' : 'Acknowledged';
  return page(
    `${label} incidents, continued`,
    `<h1>${label} incidents, continued</h1>
${incidents.length ? unresolvedTable(incidents, `${label} incidents, newest first`) : `<p>No more ${status} incidents.</p>`}
<p>${next ? morePageLink({ status, cursor: next }, `Next page of ${status} incidents`) : `That is the last of the ${status} incidents.`} <a href="/">Back to all unresolved incidents</a></p>`,
  );
}

function responderOptions(config: KlaxonConfig, selected: string | undefined): string {
  return config.responders
    .map(
      (responder) =>
        `<option value="${escapeHtml(responder.id)}"${responder.id === selected ? ' selected' : ''}>${escapeHtml(responder.name)} (${escapeHtml(responder.id)})</option>`,
    )
    .join('');
}

/** A sender's URL (http(s) only, see senderContext) as a link that takes no referrer along. */
const outLink = (href: string, text: string) =>
  `<a href="${escapeHtml(href)}" rel="noopener noreferrer">${escapeHtml(text)}</a>`;

/**
 * What the sender attached: its links, its images (as links: the page loads nothing from other
 * sites) and the tool that sent it.
 */
function senderContextRows(context: SenderContext | undefined): string {
  if (!context) return '';
  const client = context.client ?? context.clientUrl;
  const rows = [
    client
      ? `<dt>Sent by</dt><dd>${context.clientUrl ? outLink(context.clientUrl, client) : escapeHtml(client)}</dd>`
      : '',
    ...(context.links ?? []).map((link) => `<dt>Link</dt><dd>${outLink(link.href, link.text ?? link.href)}</dd>`),
    ...(context.images ?? []).map(
      (image) =>
        `<dt>Image</dt><dd>${outLink(image.src, image.alt ?? image.src)}${image.href ? ` (${outLink(image.href, 'opens')})` : ''}</dd>`,
    ),
  ];
  return rows.join('\n');
}

function recentChangesSection(changes: readonly ChangeEvent[]): string {
  const rows = changes
    .map(
      (change) =>
        `<tr><td>${escapeHtml(when(change.at))}</td><td>${escapeHtml(change.summary)}</td><td>${escapeHtml(change.source ?? '')}</td><td>${(change.links ?? []).map((link) => outLink(link.href, link.text ?? link.href)).join(' ')}</td></tr>`,
    )
    .join('\n');
  return `<section aria-labelledby="changes"><h2 id="changes">Recent changes</h2>
${
  changes.length > 0
    ? `<table><thead><tr><th scope="col">When</th><th scope="col">Change</th><th scope="col">Source</th><th scope="col">Links</th></tr></thead>
<tbody>${rows}</tbody></table>`
    : '<p>No change events for this service in the hours before it opened.</p>'
}</section>`;
}

/** The name of the hidden field that carries the form token (see web-console.ts). */
export const FORM_TOKEN_FIELD = 'formToken';

/** `formToken` goes into every form: a post without it (from another site's page) is refused. */
export function incidentPage(
  config: KlaxonConfig,
  incident: IncidentWithTimeline,
  formToken: string,
  error?: string,
  recentChanges: readonly ChangeEvent[] = [],
): string {
  const action = (verb: string) => `${incidentPath(incident.id)}/${verb}`;
  const who = (id: string) => `<input type="hidden" name="${FORM_TOKEN_FIELD}" value="${escapeHtml(formToken)}">
<label for="${id}">As</label>
<select id="${id}" name="by">${responderOptions(config, config.roles.primary)}</select>`;
  const actions =
    incident.status === 'resolved'
      ? ''
      : `<section aria-labelledby="actions"><h2 id="actions">Actions</h2>
${
  incident.status === 'open'
    ? `<form method="post" action="${escapeHtml(action('acknowledge'))}">${who('ack-by')} <button class="primary" type="submit">Acknowledge</button></form>`
    : ''
}
<form method="post" action="${escapeHtml(action('escalate'))}">${who('escalate-by')}
<label for="escalate-note">Why</label> <input id="escalate-note" name="note" maxlength="1024">
<button type="submit">Escalate now</button></form>
<form method="post" action="${escapeHtml(action('resolve'))}">${who('resolve-by')}
<label for="resolve-note">Resolution note</label> <input id="resolve-note" name="note" maxlength="4096">
<button type="submit">Resolve</button></form>
</section>`;
  const timeline = incident.timeline
    .map(
      (entry) =>
        `<tr><td>${escapeHtml(when(entry.at))}</td><td>${escapeHtml(entry.type)}</td><td>${escapeHtml(entry.message ?? '')}</td></tr>`,
    )
    .join('\n');
  const details = Object.entries(incident.details)
    .map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(value)}</dd>`)
    .join('');
  return page(
    `${incidentRef(incident)} ${incident.severity} ${incident.title}`,
    `${error ? `<div class="alert" role="alert">${escapeHtml(error)}</div>` : ''}
<h1>${severityBadge(incident.severity)} <span data-testid="number">${incidentRef(incident)}</span> ${incident.drill ? '[DRILL] ' : ''}${escapeHtml(incident.title)}</h1>
<dl>
<dt>Status</dt><dd class="status-${escapeHtml(incident.status)}" data-testid="status">${escapeHtml(incident.status)}</dd>
<dt>Summary</dt><dd>${escapeHtml(incident.summary)}</dd>
<dt>Service</dt><dd>${escapeHtml(incident.service)}</dd>
<dt>Opened</dt><dd>${escapeHtml(when(incident.openedAt))}</dd>
${incident.acknowledgedAt ? `<dt>Acknowledged</dt><dd>${escapeHtml(when(incident.acknowledgedAt))} by ${escapeHtml(incident.acknowledgedBy)}</dd>` : ''}
${incident.resolvedAt ? `<dt>Resolved</dt><dd>${escapeHtml(when(incident.resolvedAt))} by ${escapeHtml(incident.resolvedBy)}</dd>` : ''}
<dt>Incident id</dt><dd>${escapeHtml(incident.id)}</dd>
${incident.alertGroup ? `<dt>Alertmanager group</dt><dd data-testid="alert-group"><pre>${escapeHtml(alertGroupLines(incident.alertGroup).join('\n'))}</pre></dd>` : ''}
${details}
${senderContextRows(incident.context)}
</dl>
${actions}
${recentChangesSection(recentChanges)}
<section aria-labelledby="notes"><h2 id="notes">Status update</h2>
<form method="post" action="${escapeHtml(action('notes'))}">${who('note-by')}
<label for="note-message">Update</label> <input id="note-message" name="message" required maxlength="4096">
<button type="submit">Add note</button></form></section>
<section aria-labelledby="timeline"><h2 id="timeline">Timeline</h2>
<table><thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Detail</th></tr></thead>
<tbody>${timeline}</tbody></table></section>
<p><a href="/v1/incidents/${escapeHtml(encodeURIComponent(incident.id))}/postmortem">Post-mortem draft (Markdown)</a></p>`,
  );
}
