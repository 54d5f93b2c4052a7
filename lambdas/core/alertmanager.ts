/**
 * Prometheus Alertmanager notifications as the core sees them. As with PagerDuty's receiver,
 * GoAlert and Grafana OnCall, the unit is the Alertmanager group (its groupKey): one incident per
 * group, which a firing notification opens (or repeats, or reopens) and the group's resolved
 * notification resolves, carrying the group's counts and a bounded list of its alerts. A route may
 * ask for one incident per alert instead (`alertmanagerIncidents: "per-alert"`): the alerts it
 * matches leave the group's incident for one of their own.
 */
import { createHash } from 'node:crypto';
import type { AlertmanagerAlert, AlertmanagerWebhook } from '../schemas/alertmanager.js';
import type { Alert, AlertGroup, AlertGroupMember } from './alert.js';
import type { KlaxonConfig } from './config.js';
import { SEVERITIES } from './config-terms.js';
import { type IntakeDeps, type IntakeOutcome, receiveAlert } from './intake.js';
import { matchingRule } from './routing.js';
import { resolveSeverity } from './severity.js';

/** How many of a group's alerts the incident lists by name; the rest are counted ("and K more"). */
export const SHOWN_GROUP_ALERTS = 10;
/** Bounds on what is copied from labels and annotations into an incident (a DynamoDB item is 400 KB at most). */
const MAX_LABEL_VALUE = 1024;
const MAX_TEXT = 1024;
const MAX_TITLE = 256;
const MEMBER_LABELS = 16;

export type AlertmanagerIncidents = 'per-group' | 'per-alert';

/** A short, stable digest for ids and keys built from sender text of any length. */
export const digest = (...parts: string[]): string =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function boundedLabels(labels: Record<string, string>, maxValue = MAX_LABEL_VALUE): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).map(([name, value]) => [name, clip(value, maxValue)]));
}

/** The group's routing view: what every alert of it shares (its common labels, which hold the group labels). */
function groupFacts(webhook: AlertmanagerWebhook) {
  const labels = boundedLabels(webhook.commonLabels ?? {});
  const alarmName = webhook.groupLabels?.alertname ?? labels.alertname;
  return { source: 'alertmanager' as const, facts: { labels, ...(alarmName ? { alarmName } : {}) } };
}

/** What routing reads of one alert: its own labels (over the common ones) and its alertname. */
function alertFacts(webhook: AlertmanagerWebhook, alert: AlertmanagerAlert) {
  const labels = boundedLabels({ ...(webhook.commonLabels ?? {}), ...alert.labels });
  return { labels, alarmName: labels.alertname ?? alert.fingerprint };
}

/**
 * Per group unless the first route that matches the alert (on its own labels, as its per-alert
 * incident is routed) says per-alert. An alert's labels never change, so each alert goes the same
 * way in every notification of its group, whatever else the group holds at the time.
 */
function alertmanagerIncidentsFor(
  config: KlaxonConfig,
  webhook: AlertmanagerWebhook,
  alert: AlertmanagerAlert,
): AlertmanagerIncidents {
  const facts = alertFacts(webhook, alert);
  return matchingRule(config, { source: 'alertmanager', facts })?.alertmanagerIncidents ?? 'per-group';
}

/** A notification cut in two: the alerts that want an incident each, and the rest for the group's incident. */
export interface AlertmanagerParts {
  /** The notification as the per-alert inbox receives it; undefined when no alert wants an incident of its own. */
  perAlert?: AlertmanagerWebhook;
  /** The notification as the group's incident sees it; undefined when every alert went per alert. */
  group?: AlertmanagerWebhook;
}

const labelsInCommon = (all: Record<string, string>[]): Record<string, string> => {
  const [first = {}, ...rest] = all;
  return Object.fromEntries(
    Object.entries(first).filter(([name, value]) => rest.every((other) => other[name] === value)),
  );
};

/**
 * Splits a notification by where each alert goes. Unsplit, a part is the notification itself. Split,
 * the group part is what Alertmanager would send for those alerts alone: their own status and
 * common labels, so the incident's counts, title and list hold only its own alerts. The alerts
 * Alertmanager left out (max_alerts) cannot be told apart: they are counted on the group's incident
 * when the notification has one, and noted on the per-alert incidents otherwise.
 */
export function splitAlertmanagerNotification(config: KlaxonConfig, webhook: AlertmanagerWebhook): AlertmanagerParts {
  const perAlert: AlertmanagerAlert[] = [];
  const group: AlertmanagerAlert[] = [];
  for (const alert of webhook.alerts) {
    (alertmanagerIncidentsFor(config, webhook, alert) === 'per-alert' ? perAlert : group).push(alert);
  }
  if (group.length === 0) return { perAlert: webhook };
  if (perAlert.length === 0) return { group: webhook };
  const fires = group.some((alert) => alert.status === 'firing');
  return {
    perAlert: { ...webhook, alerts: perAlert, truncatedAlerts: 0 },
    group: {
      ...webhook,
      alerts: group,
      // Alertmanager says the group fires while any alert does; those it left out may be the ones.
      status: fires || (webhook.status === 'firing' && webhook.truncatedAlerts > 0) ? 'firing' : 'resolved',
      commonLabels: labelsInCommon(group.map((alert) => ({ ...(webhook.commonLabels ?? {}), ...alert.labels }))),
    },
  };
}

/** The label of the most severe firing alert that Klaxon can read (SEV1 before SEV2…), else the first unreadable one. */
function mostSevereLabel(config: KlaxonConfig, alerts: AlertmanagerAlert[], common: Record<string, string>) {
  let best: { text: string; rank: number } | undefined;
  let unknown: string | undefined;
  for (const text of new Set(alerts.map((alert) => alert.labels.severity ?? common.severity))) {
    if (text === undefined) continue;
    const severity = resolveSeverity(config, text);
    if (!severity) {
      unknown ??= text;
      continue;
    }
    const rank = SEVERITIES.indexOf(severity);
    if (!best || rank < best.rank) best = { text, rank };
  }
  return best?.text ?? unknown;
}

/** Counts, including the alerts Alertmanager left out (max_alerts): counted as firing while the group fires. */
export function groupCounts(webhook: AlertmanagerWebhook): { firing: number; resolved: number } {
  const firing = webhook.alerts.filter((alert) => alert.status === 'firing').length;
  const resolved = webhook.alerts.length - firing;
  // A resolved group has no firing alert left, so what it left out was resolved too. While it
  // fires, Alertmanager does not say which of the left-out alerts still fire: counting them as
  // firing over-reports rather than hides a problem.
  return webhook.status === 'firing'
    ? { firing: firing + webhook.truncatedAlerts, resolved }
    : { firing, resolved: resolved + webhook.truncatedAlerts };
}

/** `[FIRING:1000] NodeDown (prod)`, as Alertmanager's own default title reads. */
function groupTitle(webhook: AlertmanagerWebhook, firing: number): string {
  const groupLabels = webhook.groupLabels ?? {};
  const extra = Object.entries(webhook.commonLabels ?? {})
    .filter(([name]) => !(name in groupLabels))
    .map(([, value]) => value);
  const named = Object.values(groupLabels).join(' ') || webhook.commonLabels?.alertname || 'Alertmanager group';
  const status = webhook.status === 'firing' ? `FIRING:${firing}` : 'RESOLVED';
  return clip(`[${status}] ${named}${extra.length > 0 ? ` (${extra.join(' ')})` : ''}`.replace(/\s+/g, ' '), MAX_TITLE);
}

const alertSummary = (alert: AlertmanagerAlert, common: Record<string, string>) =>
  alert.annotations.summary ?? alert.annotations.description ?? common.summary ?? common.description;

/** What the incident keeps of the group: counts, labels, and the first alerts by name (firing first). */
export function alertGroupOf(webhook: AlertmanagerWebhook, receivedAt: string): AlertGroup {
  const { firing, resolved } = groupCounts(webhook);
  const common = webhook.commonLabels ?? {};
  const commonAnnotations = webhook.commonAnnotations ?? {};
  const shown = [
    ...webhook.alerts.filter((alert) => alert.status === 'firing'),
    ...webhook.alerts.filter((alert) => alert.status === 'resolved'),
  ].slice(0, SHOWN_GROUP_ALERTS);
  const alerts = shown.map((alert): AlertGroupMember => {
    // Only what tells this alert apart from the others: the common labels are listed once.
    const own = Object.fromEntries(Object.entries(alert.labels).filter(([name, value]) => common[name] !== value));
    const summary = alertSummary(alert, commonAnnotations);
    return {
      status: alert.status,
      fingerprint: alert.fingerprint,
      // A few short labels per listed alert, so the list stays small however the alerts differ.
      labels: boundedLabels(Object.fromEntries(Object.entries(own).slice(0, MEMBER_LABELS)), 128),
      ...(summary ? { summary: clip(summary, 256) } : {}),
      ...(alert.startsAt ? { startsAt: alert.startsAt } : {}),
    };
  });
  return {
    groupKey: clip(webhook.groupKey, MAX_TEXT),
    status: webhook.status,
    firing,
    resolved,
    truncatedAlerts: webhook.truncatedAlerts,
    ...(webhook.externalURL ? { externalURL: webhook.externalURL } : {}),
    groupLabels: boundedLabels(webhook.groupLabels ?? {}, 256),
    commonLabels: boundedLabels(common, 256),
    alerts,
    moreAlerts: firing + resolved - alerts.length,
    receivedAt,
  };
}

/**
 * The whole notification as one alert about its group. Its delivery id names the notification's
 * content, so a retry (or a repeat_interval resend of an unchanged group) counts once, and any
 * change in the group (an alert more, one resolved) counts as a repeat that updates the incident.
 */
export function alertFromAlertmanagerGroup(
  config: KlaxonConfig,
  webhook: AlertmanagerWebhook,
  integration: string,
  receivedAt: string,
): Alert & { group: AlertGroup } {
  const group = alertGroupOf(webhook, receivedAt);
  const common = webhook.commonLabels ?? {};
  const annotations = webhook.commonAnnotations ?? {};
  const routing = groupFacts(webhook);
  const firingAlerts = webhook.alerts.filter((alert) => alert.status === 'firing');
  const title = groupTitle(webhook, group.firing);
  // What a person reads first (the SMS keeps it): the group's own summary, else its first alert's
  // with how many others there are; the counts themselves follow the group on the incident.
  const [lead] = firingAlerts.length > 0 ? firingAlerts : webhook.alerts;
  const leadSummary = lead ? alertSummary(lead, annotations) : undefined;
  const others = group.firing + group.resolved - 1;
  const summary =
    annotations.summary ??
    (leadSummary
      ? `${leadSummary}${others > 0 ? ` (and ${others} more)` : ''}`
      : `${group.firing} firing, ${group.resolved} resolved in Alertmanager group ${Object.values(group.groupLabels).join(' ') || group.groupKey}`);
  const details: Record<string, string> = { integration, groupKey: group.groupKey };
  for (const [label, value] of Object.entries(group.commonLabels)) details[`label.${label}`] = value;
  if (annotations.description) details.description = clip(annotations.description, MAX_TEXT);
  const runbook = annotations.runbook_url ?? annotations.runbook;
  if (runbook) details.runbook = clip(runbook, MAX_TEXT);
  if (webhook.externalURL) details.alertmanager = webhook.externalURL;
  const severityText = mostSevereLabel(config, firingAlerts.length > 0 ? firingAlerts : webhook.alerts, common);
  const content = webhook.alerts.map((alert) => `${alert.fingerprint}/${alert.status}/${alert.startsAt ?? ''}`);
  return {
    source: 'alertmanager',
    action: webhook.status === 'firing' ? 'trigger' : 'resolve',
    dedupKey: `group:${digest(webhook.groupKey)}`,
    integration,
    deliveryId: `alertmanager:group:${digest(webhook.groupKey, webhook.status, String(webhook.truncatedAlerts), ...content)}`,
    title,
    summary: clip(summary, MAX_TEXT),
    ...(severityText ? { severityText: clip(severityText, 64) } : {}),
    severitySource: 'the severity labels of the firing alerts',
    ...(common.service ? { service: common.service } : {}),
    occurredAt: receivedAt,
    details,
    actor: `integration:${integration}`,
    facts: routing.facts,
    group,
  };
}

/**
 * One alert of a notification, for routes that want an incident per alert: its fingerprint
 * identifies the problem, `firing` triggers and `resolved` resolves; severity comes from the
 * `severity` label, read through the config's aliases.
 */
export function alertFromAlertmanager(
  webhook: AlertmanagerWebhook,
  alert: AlertmanagerAlert,
  integration: string,
  receivedAt: string,
): Alert {
  const facts = alertFacts(webhook, alert);
  const { labels, alarmName: name } = facts;
  const annotations = { ...(webhook.commonAnnotations ?? {}), ...alert.annotations };
  const summary = annotations.summary ?? annotations.description ?? name;
  const details: Record<string, string> = { integration, fingerprint: alert.fingerprint };
  for (const [label, value] of Object.entries(labels)) details[`label.${label}`] = value;
  if (annotations.description) details.description = clip(annotations.description, MAX_TEXT);
  const runbook = annotations.runbook_url ?? annotations.runbook;
  if (runbook) details.runbook = clip(runbook, MAX_TEXT);
  if (alert.generatorURL) details.source = clip(alert.generatorURL, MAX_TEXT);
  if (webhook.truncatedAlerts > 0) {
    details.truncatedAlerts = `${webhook.truncatedAlerts} more alert(s) of this group were not sent (Alertmanager's max_alerts): no incident for them`;
  }
  const startsAt = alert.startsAt && !Number.isNaN(Date.parse(alert.startsAt)) ? new Date(alert.startsAt) : undefined;
  const fingerprint = alert.fingerprint.length <= 32 ? alert.fingerprint : digest(alert.fingerprint);
  return {
    source: 'alertmanager',
    action: alert.status === 'firing' ? 'trigger' : 'resolve',
    dedupKey: alert.fingerprint,
    integration,
    // Alertmanager repeats a firing alert every repeat_interval: that is the same alert, counted once.
    deliveryId: `alertmanager:${fingerprint}:${alert.status}:${startsAt ? startsAt.getTime() : digest(alert.startsAt ?? '')}`,
    title: clip(name, MAX_TITLE),
    summary: clip(summary, MAX_TEXT),
    ...(labels.severity ? { severityText: labels.severity } : {}),
    severitySource: 'the severity label',
    ...(labels.service ? { service: labels.service } : {}),
    occurredAt: startsAt ? startsAt.toISOString() : receivedAt,
    receivedAt,
    // A resolved alert carries the startsAt of the firing it ends: equal to the trigger's, older
    // when it ends an earlier firing.
    ...(startsAt ? { senderTime: startsAt.toISOString() } : {}),
    details,
    actor: `integration:${integration}`,
    facts,
  };
}

/**
 * A group notification: opens, repeats, reopens or resolves the group's incident, then records
 * the group as this notification shows it (counts, alerts) on it. A crash in between is repaired
 * by the sender's retry, which finds the incident and records the group again.
 */
export async function receiveAlertmanagerGroup(
  deps: IntakeDeps,
  alert: Alert & { group: AlertGroup },
): Promise<IntakeOutcome> {
  const result = await receiveAlert(deps, alert);
  // A new incident was written with this very group; anything else records it now.
  if ('incident' in result && result.outcome !== 'opened' && result.outcome !== 'stale') {
    const recorded = await deps.store.recordAlertGroup(result.incident.id, alert.group, alert.title);
    if (recorded) return { ...result, incident: recorded } as IntakeOutcome;
  }
  return result;
}
