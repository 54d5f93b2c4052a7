/**
 * Reading a severity out of what senders give us: a canonical name (SEV1), an alias from the
 * config (critical, P0, …) or a tag inside a CloudWatch alarm description.
 */
import type { EventsV2Severity } from '../schemas/events-v2.js';
import type { KlaxonConfig, Severity, TierPolicy } from './config.js';
import { SEVERITIES } from './config-terms.js';

/** "SEV-1", "sev1", "critical", "P0" → SEV1, per the config's aliases; undefined when unknown. */
export function resolveSeverity(config: KlaxonConfig, text: string | undefined | null): Severity | undefined {
  return resolveSeverityIn(config.severityPolicy, text);
}

/** resolveSeverity against a severity policy alone: the CLI has the default policy, not the deployed config. */
export function resolveSeverityIn(
  policy: Record<Severity, Pick<TierPolicy, 'aliases'>>,
  text: string | undefined | null,
): Severity | undefined {
  if (!text) return undefined;
  const wanted = text
    .trim()
    .toLowerCase()
    .replace(/^sev-(\d)$/, 'sev$1');
  for (const severity of SEVERITIES) {
    if (severity.toLowerCase() === wanted) return severity;
    if (policy[severity].aliases.some((alias) => alias.toLowerCase() === wanted)) return severity;
  }
  return undefined;
}

/**
 * PagerDuty's four Events v2 severities, most severe first, stand for the four tiers in order (they
 * are also the tiers' default aliases): what a Klaxon client sends to say "this tier".
 */
export const EVENTS_V2_SEVERITY_FOR: Record<Severity, EventsV2Severity> = {
  SEV1: 'critical',
  SEV2: 'error',
  SEV3: 'warning',
  SEV4: 'info',
};

// `severity=SEV1`, `severity: critical`, `sev=P0`
const KEY_VALUE_TAG = /\bsev(?:erity)?\s*[=:]\s*([A-Za-z0-9-]+)/i;
// `[SEV2]`, `[critical]`
const BRACKET_TAG = /\[\s*([A-Za-z0-9-]+)\s*\]/g;
// A leading word: "critical: db down", "SEV1 - payments"
const LEADING_WORD = /^\s*([A-Za-z0-9-]+)/;

export interface SeverityReading {
  severity: Severity;
  /** What in the text gave the severity, or undefined when the default was applied. */
  matched?: string;
}

/**
 * Finds the severity a CloudWatch alarm description asks for. Tags win over a leading word, so
 * "critical path latency [SEV3]" is SEV3; a description that names none gets `fallback`.
 */
export function severityFromDescription(
  config: KlaxonConfig,
  description: string | null | undefined,
  fallback: Severity,
): SeverityReading {
  const text = description ?? '';
  const candidates = [
    KEY_VALUE_TAG.exec(text)?.[1],
    ...[...text.matchAll(BRACKET_TAG)].map((match) => match[1]),
    LEADING_WORD.exec(text)?.[1],
  ];
  for (const candidate of candidates) {
    const severity = resolveSeverity(config, candidate);
    if (severity) return { severity, matched: candidate };
  }
  return { severity: fallback };
}
