/**
 * The AWS calls intake makes before it answers a sender, per kind of alert: how many in all, and
 * how many one after the other (the round trips the sender waits for). One request at a time on a
 * runtime with nothing else going on, each after the previous one's background work (its first
 * page) is over. The runtime must have been started with `awsCalls: recorder`.
 */
import { scopedDedupKey } from '../lambdas/core/alert.js';
import { integrationFor } from '../lambdas/core/integration-keys.js';
import {
  type AwsCall,
  type AwsCallRecorder,
  type CallFigures,
  callFigures,
  operationName,
  type RecordedRequest,
} from '../local/aws-calls.js';
import type { LocalRuntime } from '../local/runtime.js';
import { ROUTING_KEY, triggerBody, waitingForALaterStep } from './intake.js';
import { waitFor } from './stats.js';

/** The issue's targets, on `sequential` (the round trips before the answer), not on `calls`. */
export const CALL_TARGETS = { new: 4, duplicate: 2 } as const;

export interface ScenarioCalls extends CallFigures {
  /**
   * Calls intake started after it answered, counted once its background work was over: on Lambda
   * the function is frozen by then, so anything but 0 is work that would not happen.
   */
  after_answer: number;
  /** Each call in order of start: `Service.Operation target`, with its start and end in ms from the request's start. */
  trace: string[];
}

export interface IntakeCalls {
  /** Events v2: a trigger with a fresh dedup key, the same key again, then its resolve. */
  events_v2: { new: ScenarioCalls; duplicate: ScenarioCalls; resolve: ScenarioCalls };
  /**
   * A CloudWatch alarm through signed SNS: ALARM (new), the same alarm in ALARM again in a new
   * message (duplicate), SNS retrying that very message (redelivery), OK (resolve).
   */
  cloudwatch_sns: { new: ScenarioCalls; duplicate: ScenarioCalls; redelivery: ScenarioCalls; resolve: ScenarioCalls };
}

const resolveBody = (dedupKey: string) =>
  JSON.stringify({ routing_key: ROUTING_KEY, event_action: 'resolve', dedup_key: dedupKey });

const alarmMessage = (name: string, state: 'ALARM' | 'OK') =>
  JSON.stringify({
    AlarmName: name,
    AlarmDescription: 'severity=SEV1 bench alarm',
    AWSAccountId: '123456789012',
    NewStateValue: state,
    NewStateReason: `Threshold Crossed (bench, ${state})`,
    StateChangeTime: new Date().toISOString(),
    Region: 'US East (N. Virginia)',
    AlarmArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${name}`,
    OldStateValue: state === 'ALARM' ? 'OK' : 'ALARM',
    Trigger: {
      MetricName: '5XXError',
      Namespace: 'AWS/ApiGateway',
      Statistic: 'SUM',
      Dimensions: [{ value: 'orders-api', name: 'ApiName' }],
      Period: 60,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 5.0,
    },
  });

function scenario(request: RecordedRequest): ScenarioCalls {
  const at = (ms: number | undefined) => (ms === undefined ? 'unfinished' : (ms - request.startedAt).toFixed(2));
  const line = (call: AwsCall) =>
    `${operationName(call)}${call.target ? ` ${call.target}` : ''} ${at(call.start)}→${at(call.end)} ms${call.failed ? ' (failed)' : ''}`;
  return {
    ...callFigures(request),
    after_answer: request.afterAnswer.length,
    trace: [...request.calls, ...request.afterAnswer].sort((a, b) => a.start - b.start).map(line),
  };
}

/** The one intake invocation `send` caused, once it answered (its figures: `scenario`, once all is settled). */
async function measure(
  recorder: AwsCallRecorder,
  what: string,
  send: () => Promise<{ status: number; body: unknown }>,
): Promise<{ request: RecordedRequest; body: unknown }> {
  recorder.take();
  const { status, body } = await send();
  if (status >= 300) throw new Error(`${what} answered ${status}: ${JSON.stringify(body)}`);
  const requests = recorder.take().filter((request) => request.name === 'intake');
  const [request] = requests;
  if (!request || requests.length !== 1) {
    throw new Error(`${what} made ${requests.length} intake invocations; the count needs exactly one`);
  }
  return { request, body };
}

async function post(runtime: LocalRuntime, path: string, body: string, contentType = 'application/json') {
  const response = await fetch(`${runtime.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/** The incident's first page has gone out and its ladder waits for a later step; nothing else runs. */
async function settled(runtime: LocalRuntime, incidentId: string): Promise<void> {
  await waitFor(
    () =>
      runtime.outbox.pages().some((page) => page.incidentId === incidentId) &&
      runtime.stepFunctions
        .list()
        .every((execution) => execution.status !== 'RUNNING' || waitingForALaterStep(execution.statesEntered))
        ? true
        : undefined,
    `incident ${incidentId}'s first page`,
  );
}

async function statusOf(runtime: LocalRuntime, incidentId: string | undefined, what: string) {
  const incident = incidentId ? await runtime.deps.store.getIncident(incidentId) : undefined;
  if (!incident) throw new Error(`${what}: no incident was stored`);
  return incident.status;
}

async function eventsV2(runtime: LocalRuntime, recorder: AwsCallRecorder, dedupKey: string) {
  const integration = integrationFor(runtime.config, ROUTING_KEY);
  const incidentId = () =>
    runtime.deps.store.findByDedupKey(scopedDedupKey({ source: 'events-v2', dedupKey, integration }));
  const send = (body: string) => () => post(runtime, '/v1/alerts/events', body);

  const opened = await measure(recorder, 'Events v2 trigger', send(triggerBody(dedupKey)));
  const id = await incidentId();
  if ((await statusOf(runtime, id, 'Events v2 trigger')) !== 'open') throw new Error('The trigger opened no incident');
  await settled(runtime, id as string);
  const duplicate = await measure(recorder, 'Events v2 duplicate trigger', send(triggerBody(dedupKey)));
  if ((await incidentId()) !== id) throw new Error('The duplicate trigger did not land on the open incident');
  await settled(runtime, id as string);
  const resolved = await measure(recorder, 'Events v2 resolve', send(resolveBody(dedupKey)));
  if ((await statusOf(runtime, id, 'Events v2 resolve')) !== 'resolved') throw new Error('The resolve did not resolve');
  await settled(runtime, id as string);
  return { new: scenario(opened.request), duplicate: scenario(duplicate.request), resolve: scenario(resolved.request) };
}

interface SnsPublished {
  message: unknown;
  delivery: { status: number; body: { outcome?: string; incidentId?: string } };
}

async function cloudwatchSns(runtime: LocalRuntime, recorder: AwsCallRecorder, alarmName: string) {
  const topicArn = runtime.config.snsTopicArns[0];
  if (!topicArn) throw new Error('The config allows no SNS topic: the CloudWatch scenarios need one');
  let last: SnsPublished | undefined;
  // Signed by the SNS stand-in and delivered to /v1/alerts/cloudwatch: the delivery is the measured request.
  const publish = (state: 'ALARM' | 'OK') => async () => {
    const { status, body } = await post(
      runtime,
      '/_local/sns/publish',
      JSON.stringify({ TopicArn: topicArn, Message: alarmMessage(alarmName, state) }),
    );
    if (status !== 200) throw new Error(`The SNS stand-in answered ${status}: ${JSON.stringify(body)}`);
    last = body as SnsPublished;
    return last.delivery;
  };
  const outcome = (body: unknown) => (body as { outcome?: string }).outcome;
  const expect = (what: string, body: unknown, wanted: string) => {
    if (outcome(body) !== wanted) throw new Error(`${what}: outcome ${outcome(body)}, not ${wanted}`);
  };

  const opened = await measure(recorder, 'CloudWatch ALARM', publish('ALARM'));
  expect('CloudWatch ALARM', opened.body, 'opened');
  const id = (opened.body as { incidentId: string }).incidentId;
  await settled(runtime, id);
  const duplicate = await measure(recorder, 'CloudWatch ALARM again', publish('ALARM'));
  expect('CloudWatch ALARM again', duplicate.body, 'deduplicated');
  const again = last?.message;
  const redelivery = await measure(recorder, 'SNS redelivery', () =>
    post(runtime, '/v1/alerts/cloudwatch', JSON.stringify(again), 'text/plain; charset=UTF-8'),
  );
  expect('SNS redelivery', redelivery.body, 'already-processed');
  const resolved = await measure(recorder, 'CloudWatch OK', publish('OK'));
  expect('CloudWatch OK', resolved.body, 'resolved');
  await settled(runtime, id);
  return {
    new: scenario(opened.request),
    duplicate: scenario(duplicate.request),
    redelivery: scenario(redelivery.request),
    resolve: scenario(resolved.request),
  };
}

/**
 * Each source once unmeasured first (what a warm function has cached: the SNS signing
 * certificate), then measured with fresh keys.
 */
export async function intakeCalls(runtime: LocalRuntime, recorder: AwsCallRecorder): Promise<IntakeCalls> {
  await eventsV2(runtime, recorder, 'bench/calls/warm-up');
  await cloudwatchSns(runtime, recorder, 'bench-calls-warm-up');
  return {
    events_v2: await eventsV2(runtime, recorder, 'bench/calls/measured'),
    cloudwatch_sns: await cloudwatchSns(runtime, recorder, 'bench-calls-measured'),
  };
}

export const INTAKE_CALLS_METHOD =
  "one request at a time on an otherwise idle local runtime, each sent once the previous one had answered and its background work was over (the first page sent, every ladder waiting for a later step); each source run once unmeasured first, as a warm function (the SNS signing certificate cached). Every AWS call the intake invocation started before its answer: DynamoDB commands through an SDK middleware on the runtime's client (one per command, SDK retries included); Step Functions StartExecution/StopExecution, EventBridge PutEvents, Lambda Invoke and SNS calls at the ports the local stand-ins serve, one per call the AWS adapter makes. calls = all of them; sequential = the longest chain of calls each started after the previous one ended (calls made together count once): the round trips the sender waits for, the figure the targets (new ≤ 4, duplicate ≤ 2) apply to; after_answer = calls the invocation started after it answered, counted once its background work was over (Lambda freezes a function once it answers: anything but 0 is work that would not happen). Work the stand-ins do afterwards on their own (an execution's page task) is another function's on AWS and is not counted.";

/** A table for the terminal: one line per source and scenario. */
export function callsTable(calls: IntakeCalls): string {
  const rows: string[] = [];
  const target = (scenario: string) =>
    scenario in CALL_TARGETS ? `≤ ${CALL_TARGETS[scenario as keyof typeof CALL_TARGETS]}` : '';
  rows.push(
    `${'source'.padEnd(15)}${'scenario'.padEnd(12)}${'sequential'.padStart(11)}${'target'.padStart(8)}${'calls'.padStart(7)}  by operation`,
  );
  for (const [source, scenarios] of Object.entries(calls)) {
    for (const [name, figures] of Object.entries(scenarios as Record<string, ScenarioCalls>)) {
      const operations = Object.entries(figures.by_operation)
        .map(([operation, count]) => `${operation} ${count}`)
        .join(', ');
      rows.push(
        `${source.padEnd(15)}${name.padEnd(12)}${String(figures.sequential).padStart(11)}${target(name).padStart(8)}${String(figures.calls).padStart(7)}  ${operations}`,
      );
    }
  }
  for (const [source, scenarios] of Object.entries(calls)) {
    for (const [name, figures] of Object.entries(scenarios as Record<string, ScenarioCalls>)) {
      if (figures.after_answer === 0) continue;
      rows.push(
        `WARNING: ${source} ${name} started ${figures.after_answer} AWS call(s) after its answer, when Lambda has frozen the function (--json shows them).`,
      );
    }
  }
  rows.push(
    'The targets apply to `sequential`: the AWS calls made one after the other before the sender gets its answer.',
  );
  return rows.join('\n');
}
