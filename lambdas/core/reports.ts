/**
 * The runbooks' monthly incident report: incidents per severity, time to acknowledge (MTTA) and
 * to resolve (MTTR) per severity as median and p90, the escalation rate and the top alert
 * sources. For a reopened incident MTTA times its last episode, from the reopen to its
 * acknowledgement, and MTTR the whole incident, from the first opening to the last resolution.
 * Drills are left out (and counted, so a reader knows they were). Pure: it folds the incidents it
 * is given, which the store reads from the opened-month index.
 */
import type { Severity } from './config.js';
import { SEVERITIES } from './config-terms.js';
import { formatDuration } from './duration.js';
import type { Incident } from './incident.js';

export interface DurationFigures {
  /** How many incidents the figure is computed from. */
  count: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

export interface SeverityFigures {
  severity: Severity;
  incidents: number;
  acknowledged: number;
  resolved: number;
  escalated: number;
  /** escalated / incidents, 0 when there were none. */
  escalationRate: number;
  timeToAcknowledge: DurationFigures;
  timeToResolve: DurationFigures;
}

export interface SourceFigures {
  source: string;
  service: string;
  incidents: number;
}

export interface IncidentReport {
  from: string;
  to: string;
  incidents: number;
  drillsLeftOut: number;
  escalated: number;
  escalationRate: number;
  bySeverity: SeverityFigures[];
  topSources: SourceFigures[];
}

export const TOP_SOURCES = 5;

/**
 * The q-quantile of sorted values by linear interpolation between closest ranks (what numpy and
 * spreadsheets compute by default): the median of [1, 2, 3, 4] is 2.5.
 */
export function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const below = sorted[lower] ?? 0;
  const above = sorted[Math.min(lower + 1, sorted.length - 1)] ?? below;
  return below + (position - lower) * (above - below);
}

const roundMs = (seconds: number | null) => (seconds === null ? null : Math.round(seconds * 1000) / 1000);

function durationFigures(seconds: number[]): DurationFigures {
  const sorted = [...seconds].sort((a, b) => a - b);
  return {
    count: sorted.length,
    medianSeconds: roundMs(quantile(sorted, 0.5)),
    p90Seconds: roundMs(quantile(sorted, 0.9)),
  };
}

const secondsBetween = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;
const rate = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);

/** Folds incidents (any order, any source) into the report for [from, to). */
export function buildReport(incidents: Iterable<Incident>, range: { from: string; to: string }): IncidentReport {
  const perSeverity = new Map<Severity, { incidents: number; escalated: number; tta: number[]; ttr: number[] }>(
    SEVERITIES.map((severity) => [severity, { incidents: 0, escalated: 0, tta: [], ttr: [] }]),
  );
  const sources = new Map<string, SourceFigures>();
  let drillsLeftOut = 0;
  for (const incident of incidents) {
    if (incident.openedAt < range.from || incident.openedAt >= range.to) continue;
    if (incident.drill) {
      drillsLeftOut++;
      continue;
    }
    const figures = perSeverity.get(incident.severity);
    if (!figures) continue;
    figures.incidents++;
    if (incident.escalatedAt) figures.escalated++;
    // A reopen clears the acknowledgement, so a reopened incident's is its last episode's: timed
    // from the reopen, not across the hours it lay resolved. Reopened and never answered: not counted.
    if (incident.acknowledgedAt) {
      figures.tta.push(secondsBetween(incident.reopenedAt ?? incident.openedAt, incident.acknowledgedAt));
    }
    if (incident.resolvedAt) figures.ttr.push(secondsBetween(incident.openedAt, incident.resolvedAt));
    const key = `${incident.source}\u0000${incident.service}`;
    const source = sources.get(key) ?? { source: incident.source, service: incident.service, incidents: 0 };
    source.incidents++;
    sources.set(key, source);
  }
  const bySeverity = SEVERITIES.map((severity): SeverityFigures => {
    const figures = perSeverity.get(severity) ?? { incidents: 0, escalated: 0, tta: [], ttr: [] };
    return {
      severity,
      incidents: figures.incidents,
      acknowledged: figures.tta.length,
      resolved: figures.ttr.length,
      escalated: figures.escalated,
      escalationRate: rate(figures.escalated, figures.incidents),
      timeToAcknowledge: durationFigures(figures.tta),
      timeToResolve: durationFigures(figures.ttr),
    };
  });
  const total = bySeverity.reduce((sum, figures) => sum + figures.incidents, 0);
  const escalated = bySeverity.reduce((sum, figures) => sum + figures.escalated, 0);
  const topSources = [...sources.values()]
    .sort((a, b) => b.incidents - a.incidents || `${a.source}/${a.service}`.localeCompare(`${b.source}/${b.service}`))
    .slice(0, TOP_SOURCES);
  return {
    from: range.from,
    to: range.to,
    incidents: total,
    drillsLeftOut,
    escalated,
    escalationRate: rate(escalated, total),
    bySeverity,
    topSources,
  };
}

/** "2026-11" → [2026-11-01T00:00:00.000Z, 2026-12-01T00:00:00.000Z); undefined when not a month. */
export function monthRange(month: string): { from: string; to: string } | undefined {
  const match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!match) return undefined;
  const year = Number(match[1]);
  const index = Number(match[2]) - 1;
  return {
    from: new Date(Date.UTC(year, index, 1)).toISOString(),
    to: new Date(Date.UTC(year, index + 1, 1)).toISOString(),
  };
}

function reportTitle(report: IncidentReport): string {
  const from = new Date(report.from);
  const month = monthRange(report.from.slice(0, 7));
  if (month && month.from === report.from && month.to === report.to) {
    return from.toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
  }
  return `${report.from} to ${report.to}`;
}

const duration = (seconds: number | null) => (seconds === null ? '–' : formatDuration(seconds));
const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
const severityLabel = (severity: Severity) => severity.replace(/^SEV(\d)$/, 'SEV-$1');

/** The runbooks' monthly report layout, with the figures Klaxon can measure. */
export function renderReportMarkdown(report: IncidentReport): string {
  const lines = [
    `## Incident Report: ${reportTitle(report)}`,
    '',
    `- **Total Incidents**: ${report.incidents}${report.drillsLeftOut > 0 ? ` (${report.drillsLeftOut} drill(s) left out)` : ''}`,
    ...report.bySeverity.map((figures) => `  - ${severityLabel(figures.severity)}: ${figures.incidents}`),
    '',
    `- **Escalation rate**: ${percent(report.escalationRate)} (${report.escalated} of ${report.incidents} reached a step after the first page)`,
    '',
    '| Severity | Incidents | MTTA median | MTTA p90 | MTTR median | MTTR p90 | Escalated |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...report.bySeverity.map(
      (figures) =>
        `| ${severityLabel(figures.severity)} | ${figures.incidents} | ${duration(figures.timeToAcknowledge.medianSeconds)} | ${duration(figures.timeToAcknowledge.p90Seconds)} | ${duration(figures.timeToResolve.medianSeconds)} | ${duration(figures.timeToResolve.p90Seconds)} | ${percent(figures.escalationRate)} |`,
    ),
    '',
    '- **Top Alert Sources**:',
    ...(report.topSources.length === 0
      ? ['  (none)']
      : report.topSources.map(
          (source, i) => `  ${i + 1}. ${source.service} via ${source.source} (${source.incidents})`,
        )),
    '',
  ];
  return lines.join('\n');
}
