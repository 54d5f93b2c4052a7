/** The CLI's human-readable output: aligned tables and a timeline a person can scan. */
import type { Incident, IncidentWithTimeline } from '../lambdas/core/incident.js';
import type { ShiftOverride } from '../lambdas/core/ports.js';

const when = (at: string | undefined) => (at ? `${at.slice(0, 10)} ${at.slice(11, 19)}` : '-');
/** Terminal control characters from an alert must not move the cursor or recolour the screen. */
const clean = (text: string) => text.replace(/\p{Cc}+/gu, ' ');

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row.map((value, column) => (column === row.length - 1 ? value : value.padEnd(widths[column] ?? 0))).join('  '),
    )
    .join('\n');
}

export function incidentTable(incidents: Incident[], status: string): string {
  if (incidents.length === 0) return `No ${status} incidents.`;
  return table([
    ['#', 'ID', 'SEV', 'STATUS', 'OPENED (UTC)', 'SERVICE', 'TITLE'],
    ...incidents.map((incident) => [
      `#${incident.number}`,
      incident.id,
      incident.severity,
      incident.status,
      when(incident.openedAt),
      clean(incident.service),
      `${incident.drill ? '[DRILL] ' : ''}${clean(incident.title)}`,
    ]),
  ]);
}

export function incidentDetail(incident: IncidentWithTimeline): string {
  const lines = [
    `#${incident.number} ${incident.drill ? '[DRILL] ' : ''}${incident.severity} ${clean(incident.title)}`,
    `  id        ${incident.id}`,
    `  status    ${incident.status}`,
    `  service   ${clean(incident.service)}`,
    `  opened    ${when(incident.openedAt)}`,
    ...(incident.acknowledgedAt ? [`  acked     ${when(incident.acknowledgedAt)} by ${incident.acknowledgedBy}`] : []),
    ...(incident.resolvedAt ? [`  resolved  ${when(incident.resolvedAt)} by ${incident.resolvedBy}`] : []),
    ...(incident.assignee ? [`  assignee  ${incident.assignee}`] : []),
    `  summary   ${clean(incident.summary)}`,
    '',
    'Timeline (UTC):',
    table(incident.timeline.map((entry) => [`  ${when(entry.at)}`, entry.type, clean(entry.message ?? '')])),
  ];
  return lines.join('\n');
}

export function onCallTable(body: {
  roles: {
    team: string;
    role: string;
    until?: string;
    override?: string;
    responder: { id: string; name: string; email: string } | null;
  }[];
}): string {
  return table([
    ['TEAM', 'ROLE', 'RESPONDER', 'NAME', 'UNTIL', 'OVERRIDE'],
    ...body.roles.map((entry) => [
      entry.team,
      entry.role,
      entry.responder?.id ?? '(nobody)',
      entry.responder?.name ?? '',
      entry.until ? when(entry.until) : '',
      entry.override ?? '',
    ]),
  ]);
}

export function overrideTable(overrides: ShiftOverride[]): string {
  if (overrides.length === 0) return 'No overrides made at run time are current.';
  return table([
    ['ID', 'TEAM', 'ROLE', 'RESPONDER', 'FROM', 'TO', 'BY', 'REASON'],
    ...overrides.map((entry) => [
      entry.id,
      entry.team,
      entry.role,
      entry.responder,
      when(entry.from),
      when(entry.to),
      entry.by,
      clean(entry.reason),
    ]),
  ]);
}

export function heartbeatTable(
  heartbeats: {
    name: string;
    status: string;
    interval: string;
    grace: string;
    severity: string;
    service: string;
    origin: string;
    lastPingAt?: string;
    deadline?: string;
  }[],
): string {
  if (heartbeats.length === 0) return 'No heartbeat monitors.';
  return table([
    ['NAME', 'STATUS', 'EVERY', 'GRACE', 'SEV', 'SERVICE', 'LAST PING (UTC)', 'DEADLINE (UTC)', 'FROM'],
    ...heartbeats.map((monitor) => [
      monitor.name,
      monitor.status,
      monitor.interval,
      monitor.grace,
      monitor.severity,
      clean(monitor.service),
      when(monitor.lastPingAt),
      when(monitor.deadline),
      monitor.origin,
    ]),
  ]);
}
