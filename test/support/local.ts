/** Starting the local runtime in-process, and talking to it as a client would. */

import { createHash } from 'node:crypto';
import { scopedDedupKey } from '../../lambdas/core/alert.js';
import { type KlaxonConfig, parseConfig, type Severity } from '../../lambdas/core/config.js';
import { teamForService } from '../../lambdas/core/config-lookups.js';
import type { Incident, IncidentWithTimeline } from '../../lambdas/core/incident.js';
import { FIXTURE_ROUTING_KEY, integrationFor, LOCAL_ROUTING_KEY } from '../../lambdas/core/integration-keys.js';
import type { Clock } from '../../lambdas/core/ports.js';
import type { OutboxEvent, OutboxMessage, OutboxPage } from '../../local/outbox.js';
import { type LocalRuntime, loadConfigFile, startLocalRuntime } from '../../local/runtime.js';
import { anIncident } from './incidents.js';

/** FIXTURE_ROUTING_KEY is the key the shared Events v2 fixtures use; the test config accepts it beside the local default key. */
export { FIXTURE_ROUTING_KEY, LOCAL_ROUTING_KEY };
/** The topic of the shared CloudWatch-through-SNS fixtures; the test config allows it. */
export const FIXTURE_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:klaxon-alarms';

export function testConfig(): KlaxonConfig {
  const base = loadConfigFile('klaxon.config.json');
  return parseConfig({
    ...base,
    severityPolicy: {},
    integrationKeys: [
      ...base.integrationKeys,
      { name: 'fixtures', sha256: createHash('sha256').update(FIXTURE_ROUTING_KEY).digest('hex') },
    ],
    snsTopicArns: [...base.snsTopicArns, FIXTURE_TOPIC_ARN],
  });
}

/**
 * The test config with primary filled by a daily UTC rotation (primary-oncall, then executive)
 * that hands over at `handoff`'s minute and started two days before `now`; `overrides` replace the config's when given.
 */
export function withDailyPrimaryRotation(
  handoff: Date,
  now: number,
  overrides?: KlaxonConfig['teams'][number]['overrides'],
): KlaxonConfig {
  const base = testConfig();
  const [team, ...others] = base.teams;
  return parseConfig({
    ...base,
    teams: [
      {
        ...team,
        rotations: [
          {
            id: 'primary-daily',
            every: 'day',
            handoffTime: handoff.toISOString().slice(11, 16),
            timeZone: 'UTC',
            start: new Date(now - 2 * 86_400_000).toISOString().slice(0, 10),
            members: ['primary-oncall', 'executive'],
          },
        ],
        onCall: { primary: { rotation: 'primary-daily' } },
        ...(overrides ? { overrides } : {}),
      },
      ...others,
    ],
  });
}

/** The key the store holds while an Events v2 dedup_key sent with `routingKey` has an open incident. */
export function eventsV2DedupKey(runtime: LocalRuntime, dedupKey: string, routingKey = LOCAL_ROUTING_KEY): string {
  const integration = integrationFor(runtime.config, routingKey);
  if (!integration) throw new Error('The test config has no integration with this routing key');
  return scopedDedupKey({ source: 'events-v2', dedupKey, integration });
}

export async function startTestRuntime(
  options: { timeScale?: number; config?: KlaxonConfig; clock?: Clock } = {},
): Promise<LocalRuntime> {
  return startLocalRuntime({
    port: 0,
    timeScale: options.timeScale ?? 1,
    config: options.config ?? testConfig(),
    verbose: false,
    clock: options.clock,
  });
}

/**
 * Signs in to the console as `responder` through the local sign-in page's form (no password on
 * this machine): the session cookie to send, and the form token its pages carry.
 */
export async function signIn(runtime: LocalRuntime, responder: string): Promise<{ cookie: string; formToken: string }> {
  const signedIn = await fetch(`${runtime.url}/_local/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ responder }),
    redirect: 'manual',
  });
  const cookie = signedIn.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  if (signedIn.status !== 303 || !cookie) throw new Error(`Sign-in as ${responder} answered ${signedIn.status}`);
  const home = await (await fetch(runtime.url, { headers: { cookie } })).text();
  const formToken = /name="formToken" value="([\w-]+)"/.exec(home)?.[1] ?? '';
  return { cookie, formToken };
}

/** A console page as a signed-in responder's browser gets it (signed in as primary-oncall). */
export async function consolePage(runtime: LocalRuntime, path: string): Promise<Response> {
  const { cookie } = await signIn(runtime, 'primary-oncall');
  return fetch(`${runtime.url}${path}`, { headers: { cookie } });
}

export interface Reply<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export async function call<T = Record<string, unknown>>(
  runtime: LocalRuntime,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply<T>> {
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text so the assertion shows it
  }
  return { status: response.status, body: parsed as T };
}

/** The ladder's pages (reminders, also published to the responder's topic, left out). */
export const pagesIn = (messages: OutboxMessage[]) =>
  messages.filter((message): message is OutboxPage => message.service === 'sns' && message.purpose === 'page');

/** The lifecycle events published about one incident, of one detail type if given. */
export const eventsIn = (messages: OutboxMessage[], filter: { detailType?: string; incidentId: string }) =>
  messages.filter(
    (message): message is OutboxEvent =>
      message.service === 'events' &&
      (filter.detailType === undefined || message.detailType === filter.detailType) &&
      message.detail.incident.id === filter.incidentId,
  );

/** Status-update and post-mortem reminders. */
export const remindersIn = (messages: OutboxMessage[], purpose: OutboxPage['purpose']) =>
  messages.filter((message): message is OutboxPage => message.service === 'sns' && message.purpose === purpose);

/** On-call handoff notifications. */
export const handoffsIn = (messages: OutboxMessage[]) =>
  messages.filter((message): message is OutboxPage => message.service === 'sns' && message.purpose === 'handoff');

export async function outbox(runtime: LocalRuntime): Promise<OutboxMessage[]> {
  return (await call<{ messages: OutboxMessage[] }>(runtime, 'GET', '/_local/outbox')).body.messages;
}

export async function incident(runtime: LocalRuntime, id: string): Promise<IncidentWithTimeline> {
  const reply = await call<IncidentWithTimeline>(runtime, 'GET', `/v1/incidents/${id}`);
  if (reply.status !== 200)
    throw new Error(`GET incident ${id} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply.body;
}

/**
 * Polls until `check` returns a value: end-to-end steps wait on what the product does (a page in
 * the outbox), never on a sleep tuned to one machine. `timeoutMs` only bounds a broken run.
 */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Triggers an Events v2 alert (summary, severity) and returns the incident it opened, once it is
 * listed as open.
 */
export async function openIncident(runtime: LocalRuntime, summary: string, severity: string): Promise<Incident> {
  const reply = await call<{ dedup_key: string }>(runtime, 'POST', '/v1/alerts/events', {
    routing_key: LOCAL_ROUTING_KEY,
    event_action: 'trigger',
    payload: { summary, source: 'klaxon-tests', severity },
  });
  expect(reply.status).toBe(202);
  return eventually(async () => {
    const open = await call<{ incidents: Incident[] }>(runtime, 'GET', '/v1/incidents?status=open');
    return open.body.incidents.find((item) => item.dedupKey === reply.body.dedup_key);
  }, `the incident for "${summary}"`);
}

/**
 * Stores `count` open incidents of one service straight into the table, as intake would have
 * opened them (a number each, a second apart): for tests of listing and paging, which need many
 * incidents but not the ladders, pages and events that opening each by an alert would start.
 */
export async function storeManyIncidents(
  runtime: LocalRuntime,
  count: number,
  { severity, service, prefix }: { severity: Severity; service: string; prefix: string },
): Promise<void> {
  const { store, clock, ids, config } = runtime.deps;
  const start = clock.now().getTime();
  const team = teamForService(config, service).id;
  const CONCURRENCY = 10;
  for (let first = 0; first < count; first += CONCURRENCY) {
    const batch = Array.from({ length: Math.min(CONCURRENCY, count - first) }, (_, offset) => first + offset);
    await Promise.all(
      batch.map(async (index) => {
        const openedAt = new Date(start - (count - index) * 1000).toISOString();
        await store.createIncident(
          anIncident({
            id: ids.next(),
            number: await store.allotIncidentNumber(),
            title: `${prefix} ${index}`,
            severity,
            service,
            team,
            dedupKey: `${prefix}-${index}`,
            source: 'events-v2',
            openedAt,
            lastAlertAt: openedAt,
          }),
        );
      }),
    );
  }
}
