/**
 * Routing: the config's ordered rules map an alert to a service and a severity, and the service
 * to the team that owns it (config `teams`); the first rule
 * that matches wins, and no match means the default route (defaultService, defaultSeverity).
 * An alert whose severity is missing or unknown is never dropped: the route's default applies and
 * the decision says why, for the timeline.
 */
import type { Alert } from './alert.js';
import type { KlaxonConfig, RouteRule, Severity } from './config.js';
import { teamForService } from './config-lookups.js';
import { resolveSeverity } from './severity.js';

export interface RouteDecision {
  service: string;
  /** The team that owns the service (config `teams`): the incident's team. */
  team: string;
  severity: Severity;
  /** The rule that matched, or undefined for the default route. */
  rule?: string;
  /** Set when the alert's own severity did not decide: why, for the timeline. */
  severityNote?: string;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `*` matches any run of characters; everything else is literal; case is ignored. Matched by the
 * classic two-pointer walk (no regular expression), so time stays linear-ish whatever the text.
 */
export function globMatches(pattern: string, text: string): boolean {
  const p = pattern.toLowerCase();
  const t = text.toLowerCase();
  let pi = 0;
  let ti = 0;
  let star = -1;
  let resume = 0;
  while (ti < t.length) {
    if (pi < p.length && p[pi] !== '*' && p[pi] === t[ti]) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      resume = ti;
    } else if (star >= 0) {
      pi = star + 1;
      ti = ++resume;
    } else {
      return false;
    }
  }
  while (p[pi] === '*') pi++;
  return pi === p.length;
}

function descriptionHasTag(description: string, tag: string): boolean {
  const [key, value] = tag.split('=', 2);
  if (value === undefined) return new RegExp(`(^|[^\\w-])${escapeRegExp(tag)}([^\\w-]|$)`, 'i').test(description);
  const found = new RegExp(`(?:^|[^\\w-])${escapeRegExp(key ?? '')}\\s*[=:]\\s*([\\w./-]+)`, 'i').exec(
    description,
  )?.[1];
  return found !== undefined && globMatches(value, found);
}

export function ruleMatches(rule: RouteRule, alert: Pick<Alert, 'source' | 'facts'>): boolean {
  const { match } = rule;
  const facts = alert.facts ?? {};
  const optional = (pattern: string | undefined, value: string | undefined) =>
    pattern === undefined || (value !== undefined && globMatches(pattern, value));
  return (
    (match.source === undefined || match.source === alert.source) &&
    optional(match.alarmName, facts.alarmName) &&
    (match.namespace === undefined ||
      (facts.namespaces ?? []).some((namespace) => globMatches(match.namespace ?? '', namespace))) &&
    (match.descriptionTag === undefined || descriptionHasTag(facts.description ?? '', match.descriptionTag)) &&
    Object.entries(match.labels ?? {}).every(([name, pattern]) => optional(pattern, facts.labels?.[name])) &&
    optional(match.component, facts.component) &&
    optional(match.group, facts.group)
  );
}

/** The first rule that matches, or undefined for the default route. */
export const matchingRule = (config: KlaxonConfig, alert: Pick<Alert, 'source' | 'facts'>): RouteRule | undefined =>
  config.routes.find((candidate) => ruleMatches(candidate, alert));

export function routeAlert(
  config: KlaxonConfig,
  alert: Pick<Alert, 'source' | 'facts' | 'service' | 'severityText' | 'severitySource'>,
): RouteDecision {
  const rule = matchingRule(config, alert);
  const service = rule?.service ?? alert.service ?? config.defaultService;
  const team = teamForService(config, service).id;
  if (rule?.severity) return { service, team, severity: rule.severity, rule: rule.name };
  const named = resolveSeverity(config, alert.severityText);
  if (named) return { service, team, severity: named, rule: rule?.name };
  const fallback = rule?.defaultSeverity ?? config.defaultSeverity;
  const what = alert.severityText ? `unknown severity "${alert.severityText}"` : 'no severity';
  const where = alert.severitySource ? ` in ${alert.severitySource}` : '';
  const whose = rule?.defaultSeverity ? `route "${rule.name}"'s default` : 'the default';
  return {
    service,
    team,
    severity: fallback,
    rule: rule?.name,
    severityNote: `The alert had ${what}${where}; ${whose} ${fallback} applies`,
  };
}
