/**
 * Alarm storm: 200 distinct CloudWatch alarms delivered 10,000 times through the EventBridge
 * stand-in, in a shuffled order over 50 connections, half of them duplicates (a new event id: the
 * alarm fired again) and half retries (an event id already delivered: EventBridge retrying).
 * Expected: exactly one incident and one execution per alarm, none lost.
 */
import { readFileSync } from 'node:fs';
import type { Incident } from '../lambdas/core/incident.js';
import type { LocalRuntime } from '../local/runtime.js';
import { generateLoad } from './load-generator.js';
import { round } from './stats.js';

export const STORM_ALARMS = 200;
export const STORM_DELIVERIES = 10_000;
const ALARM_PREFIX = 'bench-storm-alarm-';

interface AlarmEvent {
  id: string;
  resources: string[];
  detail: { alarmName: string };
}

/** A fixed permutation (a linear congruential generator), so every run sends the same storm. */
function shuffled<T>(items: T[]): T[] {
  let seed = 20_261_123;
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = seed % (i + 1);
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

function stormBodies(): string[] {
  const template = JSON.parse(readFileSync('test/fixtures/eventbridge/alarm-state-change.json', 'utf8')) as AlarmEvent;
  const bodies: string[] = [];
  for (let delivery = 0; delivery < STORM_DELIVERIES; delivery++) {
    const alarm = delivery % STORM_ALARMS;
    const round = Math.floor(delivery / STORM_ALARMS);
    // Odd rounds repeat the previous round's event id: a retry of the same delivery.
    const eventRound = round % 2 === 1 ? round - 1 : round;
    const name = `${ALARM_PREFIX}${alarm}`;
    bodies.push(
      JSON.stringify({
        ...template,
        id: `storm-${alarm}-${eventRound}`,
        resources: [`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`],
        detail: { ...template.detail, alarmName: name },
      }),
    );
  }
  return shuffled(bodies);
}

async function allIncidents(runtime: LocalRuntime): Promise<Incident[]> {
  const incidents: Incident[] = [];
  let cursor: string | undefined;
  do {
    const page = await runtime.deps.store.listByStatus('open', { limit: 100, cursor });
    incidents.push(...page.incidents);
    cursor = page.next;
  } while (cursor);
  return incidents;
}

export async function alarmStorm(runtime: LocalRuntime) {
  const { load } = await generateLoad({
    url: runtime.url,
    path: '/_local/events',
    connections: 50,
    amount: STORM_DELIVERIES,
    bodies: stormBodies(),
  });

  const incidents = (await allIncidents(runtime)).filter((incident) => incident.title.startsWith(ALARM_PREFIX));
  const ids = new Set(incidents.map((incident) => incident.id));
  const executions = runtime.stepFunctions.list().filter((execution) => ids.has(execution.input.incidentId));
  const alarmsWithIncident = new Set(incidents.map((incident) => incident.title));
  return {
    alarms: STORM_ALARMS,
    deliveries: load.requests,
    non_2xx: load.non_2xx,
    errors: load.errors,
    incidents: incidents.length,
    executions: executions.length,
    lost: STORM_ALARMS - alarmsWithIncident.size,
    alerts_counted: incidents.reduce((sum, incident) => sum + incident.alertCount, 0),
    seconds: round(load.seconds),
  };
}
