import { type KlaxonConfig, parseConfig } from '../../lambdas/core/config.js';
import type { Incident } from '../../lambdas/core/incident.js';
import { tierLadder } from '../../lambdas/core/run-control.js';
import { firstRun, nextRun, type Run } from '../../lambdas/core/runs.js';

/** The smallest valid config: the default severity policy, one person in every role. */
const DEFAULT_POLICY_CONFIG: KlaxonConfig = parseConfig({
  responders: [
    { id: 'primary-oncall', name: 'Priya Primary', email: 'primary-oncall@example.com', phone: '+14155550101' },
  ],
  teams: [
    {
      id: 'ops',
      roles: {
        primary: 'primary-oncall',
        secondary: 'primary-oncall',
        'engineering-manager': 'primary-oncall',
        executive: 'primary-oncall',
      },
    },
  ],
});

/**
 * Run 1 of the incident as intake decides it on opening: the tier's ladder from `openedAt`
 * (the default severity policy unless `config` is given), not started yet.
 */
export const anOpeningRun = (
  incident: Pick<Incident, 'id' | 'team' | 'severity' | 'openedAt' | 'source'>,
  config: KlaxonConfig = DEFAULT_POLICY_CONFIG,
): Run =>
  firstRun({
    by: `alarm:${incident.source}`,
    at: incident.openedAt,
    ladder: tierLadder(config, incident.id, incident.team, incident.severity, incident.openedAt, 1),
  });

/**
 * Run `number` of the incident, in the episode run `episode` opened (a reopen, when above 1); each
 * run after the first a re-plan (escalate now) otherwise, every ladder planned from `at`.
 */
export function aLaterRun(
  incident: Pick<Incident, 'id' | 'team' | 'severity' | 'openedAt' | 'source'>,
  { number, episode = 1, at = incident.openedAt }: { number: number; episode?: number; at?: string },
  config: KlaxonConfig = DEFAULT_POLICY_CONFIG,
): Run {
  if (episode > number) throw new Error(`Run ${number} cannot be in the episode of a later run ${episode}`);
  let run = anOpeningRun(incident, config);
  for (let n = 2; n <= number; n++) {
    run = nextRun(run, n === episode ? 'reopened' : 'escalated', {
      by: n === episode ? `alarm:${incident.source}` : 'priya',
      at,
      ladder: tierLadder(config, incident.id, incident.team, incident.severity, at, n),
    });
  }
  return run;
}

/**
 * A SEV1 CloudWatch incident as intake would store it; tests override what they are about. Its
 * run is run 1 of the incident as overridden (id, severity, opening) unless `run` is given.
 */
export const anIncident = (changes: Partial<Incident> = {}): Incident => {
  const incident: Omit<Incident, 'run'> = {
    id: '01JD6Z3ZQ7W9Y2V8K4T5R6N3M1',
    number: 142,
    title: 'orders-api-5xx',
    severity: 'SEV1',
    status: 'open',
    service: 'orders',
    team: 'ops',
    dedupKey: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:orders-api-5xx',
    source: 'cloudwatch',
    summary: 'Threshold Crossed: 1 out of the last 1 datapoints [12.0] was greater than the threshold (5.0).',
    openedAt: '2026-11-20T10:15:00.000Z',
    drill: false,
    alertCount: 1,
    lastAlertAt: '2026-11-20T10:15:00.000Z',
    details: {},
    ...changes,
  };
  return { ...incident, run: changes.run ?? anOpeningRun(incident) };
};
