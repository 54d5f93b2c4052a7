/**
 * The bench's count of AWS calls per intake request (`npm run bench:calls`) sees the calls that
 * matter: if it counted nothing, its figures would meet any target.
 */
import { AwsCallRecorder } from '../../local/aws-calls.js';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime.js';
import {
  call,
  eventsV2DedupKey,
  eventually,
  LOCAL_ROUTING_KEY,
  outbox,
  pagesIn,
  testConfig,
} from '../support/local.js';

describe('AWS calls recorded per intake request', () => {
  const recorder = new AwsCallRecorder();
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startLocalRuntime({ port: 0, config: testConfig(), verbose: false, awsCalls: recorder });
  });
  afterAll(async () => {
    await runtime.stop();
  });

  it("records a new incident's PutItem and its escalation's StartExecution against the request that opened it, and not the page task's calls", async () => {
    recorder.take();
    const trigger = await call(runtime, 'POST', '/v1/alerts/events', {
      routing_key: LOCAL_ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'aws-calls/new',
      payload: { summary: 'Counted calls', source: 'test.local', severity: 'critical' },
    });
    expect(trigger.status).toBe(202);
    const requests = recorder.take();
    expect(requests.map((request) => request.name)).toEqual(['intake']);
    const [request] = requests;

    const incidentId = await runtime.deps.store.findByDedupKey(eventsV2DedupKey(runtime, 'aws-calls/new'));
    const execution = runtime.stepFunctions.list().find((started) => started.input.incidentId === incidentId);
    expect(execution).toBeDefined();
    expect(request?.calls).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          service: 'DynamoDB',
          operation: 'PutItem',
          target: `INCIDENT#${incidentId} INCIDENT`,
        }),
        expect.objectContaining({ service: 'StepFunctions', operation: 'StartExecution', target: execution?.name }),
      ]),
    );
    for (const recorded of request?.calls ?? []) {
      expect(recorded.start).toBeGreaterThanOrEqual(request?.startedAt ?? Number.NaN);
      expect(recorded.start).toBeLessThanOrEqual(request?.answeredAt ?? Number.NaN);
    }

    // The ladder's page task reads the incident and records its page: another function's calls on AWS.
    await eventually(
      async () => pagesIn(await outbox(runtime)).find((page) => page.incidentId === incidentId),
      'the first page',
    );
    expect(request?.afterAnswer).toEqual([]);
    expect(request?.calls.filter((recorded) => recorded.target?.includes('TIMELINE#paged'))).toEqual([]);
  });
});
