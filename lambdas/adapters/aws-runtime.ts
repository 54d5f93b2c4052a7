/**
 * What every function builds once per cold start whatever its clients: the logger, the metrics
 * and the config compiled into the bundle. No SDK client is imported here, so each function's
 * bundle loads only the SDK clients its own deps module names (see aws-deps.ts, aws-paging-deps.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { KlaxonConfig } from '../core/config.js';
import { METRICS_NAMESPACE } from './incident-metrics.js';
import { MaskingLogFormatter } from './masking-log-formatter.js';

export const logger = new Logger({ serviceName: 'klaxon', logFormatter: new MaskingLogFormatter() });

/** EMF metrics; the service dimension comes from POWERTOOLS_SERVICE_NAME, which the stack sets. */
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE });

/**
 * The config as synth validated it (parseConfig in lib/klaxon.ts, which fails the deploy on a bad
 * one), defaults filled in: trusted here rather than validated again at every cold start.
 */
export function bundledConfig(): KlaxonConfig {
  // Replaced at bundle time by the validated config's JSON (see CONFIG_DEFINE in environment.ts).
  const text = process.env.KLAXON_CONFIG;
  if (!text) throw new Error('No Klaxon config was compiled into this bundle');
  return JSON.parse(text) as KlaxonConfig;
}
