/**
 * The post-mortem draft: the runbooks' template filled with what Klaxon knows (date, duration,
 * severity, impact, a timeline from the stored events) and the sections people write.
 */
import type { KlaxonConfig } from './config.js';
import { tierOf } from './config-lookups.js';
import { formatDuration, parseDurationSeconds } from './duration.js';
import type { IncidentWithTimeline, TimelineEntry } from './incident.js';

/** Kinds of timeline entry worth a row; repeats of the same alert and internal bookkeeping are not. */
const TIMELINE_ROWS = new Set([
  'opened',
  'severity-defaulted',
  'maintenance',
  'paged',
  'page-failed',
  'delivery-failed',
  'acknowledged',
  'note',
  'severity-changed',
  'reassigned',
  'ladder-replanned',
  'resolved',
  'reopened',
  'postmortem-done',
]);

/** A Markdown table cell: one line, no column breaks. */
function cell(text: string): string {
  return text
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\|/g, '\\|')
    .trim();
}

const clockTime = (at: string) => `${at.slice(0, 10)} ${at.slice(11, 19)}`;

function describe(entry: TimelineEntry): string {
  const message = entry.message ?? entry.type;
  if (entry.type === 'opened') return `Detected. ${message}`;
  if (entry.type === 'paged' && typeof entry.step === 'number' && entry.step > 0) {
    return `Escalated (step ${entry.step + 1}). ${message}`;
  }
  if (entry.type === 'note') return `Status update by ${entry.by ?? 'someone'}: ${message}`;
  return message;
}

function postmortemDue(config: KlaxonConfig, incident: IncidentWithTimeline): string {
  const due = tierOf(config, incident).postmortemDue;
  if (due === 'none') return 'not required for this severity';
  if (due === 'optional') return 'optional for this severity';
  const seconds = parseDurationSeconds(due) ?? 0;
  if (!incident.resolvedAt) return `within ${due} of resolution`;
  return `${clockTime(new Date(Date.parse(incident.resolvedAt) + seconds * 1000).toISOString())} UTC (${due} after resolution)`;
}

export function renderPostmortem(config: KlaxonConfig, incident: IncidentWithTimeline): string {
  const end = incident.resolvedAt;
  const lasted = end ? formatDuration((Date.parse(end) - Date.parse(incident.openedAt)) / 1000) : 'still unresolved';
  const timeToAck = incident.acknowledgedAt
    ? formatDuration((Date.parse(incident.acknowledgedAt) - Date.parse(incident.openedAt)) / 1000)
    : 'never acknowledged';
  const rows = incident.timeline
    .filter((entry) => TIMELINE_ROWS.has(entry.type))
    .map((entry) => `| ${clockTime(entry.at)} | ${cell(describe(entry))} |`);
  const repeats = incident.alertCount > 1 ? [``, `The alert fired ${incident.alertCount} times in all.`] : [];
  return [
    `# Incident Post-Mortem: ${cell(incident.title)}`,
    '',
    `${incident.drill ? '**This was a drill.**\n\n' : ''}## Incident Summary`,
    `- **Date**: ${incident.openedAt.slice(0, 10)}`,
    `- **Duration**: ${lasted} (${clockTime(incident.openedAt)} to ${end ? clockTime(end) : 'now'} UTC)`,
    `- **Severity**: ${incident.severity.replace(/^SEV(\d)$/, 'SEV-$1')} (${tierOf(config, incident).description})`,
    `- **Impact**: ${cell(incident.summary)} (service ${cell(incident.service)})`,
    `- **Time to acknowledge**: ${timeToAck}`,
    `- **Incident**: #${incident.number} (${incident.id})`,
    `- **Post-mortem due**: ${postmortemDue(config, incident)}`,
    '',
    '## Timeline',
    '',
    '| Time (UTC) | Event |',
    '|------|-------|',
    ...rows,
    ...repeats,
    '',
    '## Root Cause',
    '',
    '<Detailed explanation of what went wrong and why>',
    '',
    '## Impact Assessment',
    '',
    '- **Users Affected**: <estimate>',
    `- **Duration**: ${lasted}`,
    '- **SLO Impact**: <availability against target>',
    '',
    '## What Went Well',
    '',
    '- <…>',
    '',
    '## What Went Wrong',
    '',
    '- <…>',
    '',
    '## Action Items',
    '',
    '| Action | Owner | Due Date | Status |',
    '|--------|-------|----------|--------|',
    '| <action> | @<owner> | YYYY-MM-DD | To Do |',
    '',
    '## Lessons Learned',
    '',
    '1. <…>',
    '',
  ].join('\n');
}
