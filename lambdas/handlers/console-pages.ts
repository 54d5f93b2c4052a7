/**
 * The web console's HTML: plain server-rendered pages, no script, no external fonts or CDNs.
 * Everything that comes from an alert is escaped (an alarm name can carry <script>), and the
 * answer's Content-Security-Policy forbids scripts anyway.
 */
import { alertGroupLines, type SenderContext } from '../core/alert.js';
import type { ChangeEvent } from '../core/change-events.js';
import type { KlaxonConfig, Role, Severity } from '../core/config.js';
import { responderById } from '../core/config-lookups.js';
import { type Incident, type IncidentWithTimeline, incidentRef } from '../core/incident.js';
import type { ShiftOverride } from '../core/ports.js';
import type { OnCallNow, OnCallShift } from '../core/rotations.js';
import { FORM_TOKEN_FIELD } from './console-session.js';
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

/** Who is on call now, per team and role (overrides applied), with a link to the next 14 days. */
export function onCallSection(config: KlaxonConfig, now: readonly OnCallNow[]): string {
  const teams = config.teams.map((team) => team.id);
  const rows = now
    .map((entry) => {
      const responder = responderById(config, entry.now);
      return `<tr><td>${escapeHtml(entry.team)}</td><th scope="row">${escapeHtml(entry.role)}</th><td>${escapeHtml(responder?.name ?? '(nobody)')}</td><td>${escapeHtml(responder?.id ?? '')}</td></tr>`;
    })
    .join('\n');
  return `<section aria-labelledby="oncall"><h2 id="oncall">On call</h2>
<table><thead><tr><th scope="col">Team</th><th scope="col">Role</th><th scope="col">Name</th><th scope="col">Responder id</th></tr></thead>
<tbody>${rows}</tbody></table>
<p><a href="/oncall">The next 14 days, and cover a shift</a></p>
${teams.length > 1 ? `<p>Incidents of one team: ${teams.map((team) => `<a href="?${escapeHtml(new URLSearchParams({ team }).toString())}">${escapeHtml(team)}</a>`).join(' · ')}</p>` : ''}</section>`;
}

export interface TeamShifts {
  team: string;
  roles: { role: Role; shifts: OnCallShift[] }[];
}

/**
 * The "On call" page: for each team and role, who holds it from now for the next 14 days, each
 * shift with a "cover this shift" form (its times prefilled, editable to cover part of it), and
 * the overrides made at run time with a button to remove each.
 */
/** The responders as the options of a select. */
function responderOptions(config: KlaxonConfig): string {
  return config.responders
    .map(
      (responder) =>
        `<option value="${escapeHtml(responder.id)}">${escapeHtml(responder.name)} (${escapeHtml(responder.id)})</option>`,
    )
    .join('');
}

export function onCallPage(
  viewer: Viewer,
  config: KlaxonConfig,
  teams: readonly TeamShifts[],
  overrides: readonly ShiftOverride[],
  error?: string,
): string {
  const name = (id: string) => responderById(config, id)?.name ?? id;
  const token = tokenField(viewer);
  let n = 0;
  const coverForm = (team: string, role: Role, shift: OnCallShift) => {
    n += 1;
    return `<details><summary>Cover this shift</summary>
<form method="post" action="/oncall/overrides">${token}
<input type="hidden" name="team" value="${escapeHtml(team)}"><input type="hidden" name="role" value="${escapeHtml(role)}">
<label for="cover-from-${n}">From (UTC)</label> <input id="cover-from-${n}" name="from" value="${escapeHtml(shift.from)}" required>
<label for="cover-to-${n}">To (UTC)</label> <input id="cover-to-${n}" name="to" value="${escapeHtml(shift.to)}" required>
<label for="cover-responder-${n}">Covered by</label> <select id="cover-responder-${n}" name="responder">${responderOptions(config)}</select>
<label for="cover-reason-${n}">Reason</label> <input id="cover-reason-${n}" name="reason" maxlength="500" required>
<button class="primary" type="submit">Cover</button></form></details>`;
  };
  const sections = teams
    .map(
      ({
        team,
        roles,
      }) => `<section aria-labelledby="team-${escapeHtml(team)}"><h2 id="team-${escapeHtml(team)}">Team ${escapeHtml(team)}</h2>
<table><thead><tr><th scope="col">Role</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Who</th><th scope="col"></th></tr></thead><tbody>
${roles
  .flatMap(({ role, shifts }) =>
    shifts.map(
      (shift) =>
        `<tr data-team="${escapeHtml(team)}" data-role="${escapeHtml(role)}"><th scope="row">${escapeHtml(role)}</th><td>${escapeHtml(when(shift.from))}</td><td>${escapeHtml(when(shift.to))}</td><td>${escapeHtml(name(shift.responder))}</td><td>${coverForm(team, role, shift)}</td></tr>`,
    ),
  )
  .join('\n')}
</tbody></table></section>`,
    )
    .join('\n');
  const made = overrides.length
    ? `<table><thead><tr><th scope="col">Team</th><th scope="col">Role</th><th scope="col">Who</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Reason</th><th scope="col">Made by</th><th scope="col"></th></tr></thead><tbody>
${overrides
  .map(
    (override) =>
      `<tr><td>${escapeHtml(override.team)}</td><td>${escapeHtml(override.role)}</td><td>${escapeHtml(name(override.responder))}</td><td>${escapeHtml(when(override.from))}</td><td>${escapeHtml(when(override.to))}</td><td>${escapeHtml(override.reason)}</td><td>${escapeHtml(override.by)}</td>
<td><form method="post" action="/oncall/overrides/${escapeHtml(encodeURIComponent(override.id))}/remove">${token}<button type="submit">Remove</button></form></td></tr>`,
  )
  .join('\n')}</tbody></table>`
    : '<p>None.</p>';
  return page(
    'On call',
    `${signedInBar(viewer)}
<p><a href="/">Incidents</a></p><h1>On call: now and the next 14 days</h1>
${error ? `<div class="alert" role="alert"><p>${escapeHtml(error)}</p></div>` : ''}
${sections}
<section aria-labelledby="overrides"><h2 id="overrides">Overrides made here or with the CLI</h2>${made}</section>`,
  );
}

export interface OutboxLine {
  at: string;
  service: string;
  responder?: string | null;
  subject?: string;
  detailType?: string;
  incidentId?: string;
  /** A call's spoken text. */
  voice?: string;
  /** An SMS sent straight to a number (the answer to an SMS reply): its text. */
  sms?: string | null;
}

const outboxWhat = (message: OutboxLine) =>
  message.service === 'sns'
    ? `page to ${message.responder}`
    : message.service === 'voice'
      ? `call to ${message.responder}`
      : message.service === 'chat'
        ? 'chat'
        : 'event';

export function outboxSection(messages: OutboxLine[]): string {
  const rows = messages
    .slice(-25)
    .reverse()
    .map(
      (message) =>
        `<tr><td>${escapeHtml(when(message.at))}</td><td>${escapeHtml(outboxWhat(message))}</td><td>${escapeHtml(message.subject ?? message.detailType ?? (message.service === 'sms' ? message.sms : '') ?? '')}</td></tr>`,
    )
    .join('\n');
  return `<section aria-labelledby="outbox"><h2 id="outbox">Outbox (this machine: what SNS, End User Messaging, chat and EventBridge would have sent)</h2>
${rows ? `<table><thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Subject</th></tr></thead><tbody>${rows}</tbody></table>` : '<p>Nothing sent yet.</p>'}</section>`;
}

/** The signed-in responder looking at a page, and the form token their forms carry (web-console.ts). */
export interface Viewer {
  responder: string;
  name: string;
  formToken: string;
}

/** A form's hidden token field: every console form starts with it. */
export const tokenField = (viewer: Viewer) =>
  `<input type="hidden" name="${FORM_TOKEN_FIELD}" value="${escapeHtml(viewer.formToken)}">`;

/** Who is signed in, and the sign-out button, above every console page. */
export const signedInBar = (viewer: Viewer) =>
  `<form method="post" action="/auth/sign-out" style="float:right">${tokenField(viewer)}<span data-testid="signed-in">Signed in as ${escapeHtml(viewer.name)} (${escapeHtml(viewer.responder)})</span> <button type="submit">Sign out</button></form>`;

/** A status with more unresolved incidents than the page shows, and the API cursor to the rest. */
export interface MorePage {
  status: 'open' | 'acknowledged';
  cursor: string;
  /** The team the listing is narrowed to: its cursor belongs to that query. */
  team?: string;
}

/**
 * The link to a status's next page. Relative (query only), so it stays under whatever base path
 * the console is served from.
 */
function morePageLink(more: MorePage, text: string): string {
  const href = `?${new URLSearchParams({ status: more.status, cursor: more.cursor, ...(more.team ? { team: more.team } : {}) })}`;
  return `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>`;
}

function unresolvedTable(incidents: Incident[], caption: string): string {
  return `<table><caption class="visually-hidden">${escapeHtml(caption)}</caption>
<thead><tr><th scope="col">Severity</th><th scope="col">Incident</th><th scope="col">Status</th><th scope="col">Service</th><th scope="col">Opened</th></tr></thead>
<tbody>${incidentRows(incidents)}</tbody></table>`;
}

export function homePage(
  viewer: Viewer,
  config: KlaxonConfig,
  onCallNow: readonly OnCallNow[],
  unresolved: Incident[],
  outbox?: OutboxLine[],
  more: MorePage[] = [],
  team?: string,
): string {
  const table = unresolved.length
    ? unresolvedTable(
        unresolved,
        team ? `Team ${team}'s unresolved incidents, newest first` : 'Unresolved incidents, newest first',
      )
    : '<p>No open incidents.</p>';
  // Said before the table too: a responder scanning a long list must know it is not all of them.
  const notice = more.length
    ? `<div class="alert" role="status" data-testid="more"><p>Not every unresolved incident is shown here: only the newest ${more.map((item) => item.status).join(' and ')} ones.</p>
<ul>${more.map((item) => `<li>${morePageLink(item, `Next page of ${item.status} incidents`)}</li>`).join('')}</ul></div>`
    : '';
  return page(
    'Incidents',
    `${signedInBar(viewer)}
<h1>Open incidents${team ? ` of team ${escapeHtml(team)}` : ''}</h1>
${notice}
${table}
${onCallSection(config, onCallNow)}
${outbox ? outboxSection(outbox) : ''}`,
  );
}

/** One further page of a status's incidents, reached from the home page's next-page link. */
export function continuationPage(
  viewer: Viewer,
  status: MorePage['status'],
  incidents: Incident[],
  next: string | undefined,
  team?: string,
): string {
  const label = status === 'open' ? 'Open' : 'Acknowledged';
  return page(
    `${label} incidents, continued`,
    `${signedInBar(viewer)}
<h1>${label} incidents, continued</h1>
${incidents.length ? unresolvedTable(incidents, `${label} incidents, newest first`) : `<p>No more ${status} incidents.</p>`}
<p>${next ? morePageLink({ status, cursor: next, team }, `Next page of ${status} incidents`) : `That is the last of the ${status} incidents.`} <a href="/">Back to all unresolved incidents</a></p>`,
  );
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

/**
 * The viewer's form token goes into every form: a post without it (from another site's page) is
 * refused. Every action is recorded as the signed-in viewer's.
 */
export function incidentPage(
  viewer: Viewer,
  config: KlaxonConfig,
  incident: IncidentWithTimeline,
  error?: string,
  recentChanges: readonly ChangeEvent[] = [],
): string {
  const action = (verb: string) => `${incidentPath(incident.id)}/${verb}`;
  const who = () => tokenField(viewer);
  const taken = incident.assignee === viewer.responder && incident.status === 'acknowledged';
  const actions =
    incident.status === 'resolved'
      ? ''
      : `<section aria-labelledby="actions"><h2 id="actions">Actions</h2>
${
  incident.status === 'open'
    ? `<form method="post" action="${escapeHtml(action('acknowledge'))}">${who()} <button class="primary" type="submit">Acknowledge</button></form>`
    : ''
}
${taken ? '' : `<form method="post" action="${escapeHtml(action('take'))}">${who()} <button type="submit">Take it</button></form>`}
<form method="post" action="${escapeHtml(action('escalate'))}">${who()}
<label for="escalate-note">Why</label> <input id="escalate-note" name="note" maxlength="1024">
<button type="submit">Escalate now</button></form>
<form method="post" action="${escapeHtml(action('resolve'))}">${who()}
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
    `${signedInBar(viewer)}
${error ? `<div class="alert" role="alert">${escapeHtml(error)}</div>` : ''}
<h1>${severityBadge(incident.severity)} <span data-testid="number">${incidentRef(incident)}</span> ${incident.drill ? '[DRILL] ' : ''}${escapeHtml(incident.title)}</h1>
<dl>
<dt>Status</dt><dd class="status-${escapeHtml(incident.status)}" data-testid="status">${escapeHtml(incident.status)}</dd>
<dt>Summary</dt><dd>${escapeHtml(incident.summary)}</dd>
<dt>Service</dt><dd>${escapeHtml(incident.service)}</dd>
<dt>Opened</dt><dd>${escapeHtml(when(incident.openedAt))}</dd>
${incident.acknowledgedAt ? `<dt>Acknowledged</dt><dd>${escapeHtml(when(incident.acknowledgedAt))} by ${escapeHtml(incident.acknowledgedBy)}</dd>` : ''}
${incident.assignee ? `<dt>Assigned to</dt><dd data-testid="assignee">${escapeHtml(responderById(config, incident.assignee)?.name ?? incident.assignee)} (${escapeHtml(incident.assignee)})</dd>` : ''}
${incident.resolvedAt ? `<dt>Resolved</dt><dd>${escapeHtml(when(incident.resolvedAt))} by ${escapeHtml(incident.resolvedBy)}</dd>` : ''}
<dt>Incident id</dt><dd>${escapeHtml(incident.id)}</dd>
${incident.alertGroup ? `<dt>Alertmanager group</dt><dd data-testid="alert-group"><pre>${escapeHtml(alertGroupLines(incident.alertGroup).join('\n'))}</pre></dd>` : ''}
${details}
${senderContextRows(incident.context)}
</dl>
${actions}
${recentChangesSection(recentChanges)}
<section aria-labelledby="notes"><h2 id="notes">Status update</h2>
<form method="post" action="${escapeHtml(action('notes'))}">${who()}
<label for="note-message">Update</label> <input id="note-message" name="message" required maxlength="4096">
<button type="submit">Add note</button></form></section>
<section aria-labelledby="timeline"><h2 id="timeline">Timeline</h2>
<table><thead><tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Detail</th></tr></thead>
<tbody>${timeline}</tbody></table></section>
<p><a href="/v1/incidents/${escapeHtml(encodeURIComponent(incident.id))}/postmortem">Post-mortem draft (Markdown)</a></p>`,
  );
}
