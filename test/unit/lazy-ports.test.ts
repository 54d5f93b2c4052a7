/**
 * Ports loaded on first use (lambdas/adapters/lazy.ts, aws-ports.ts): a function's cold start loads
 * no SDK client its request does not call, and the handlers use the stand-in as the port itself.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { awsLifecyclePublisher, awsStepFunctions } from '../../lambdas/adapters/aws-ports.js';
import { lazyPort } from '../../lambdas/adapters/lazy.js';
import { lifecycleEvent } from '../../lambdas/core/lifecycle-events.js';
import type { EscalationRunner } from '../../lambdas/core/ports.js';
import { anIncident } from '../support/incidents.js';

interface Greeter {
  greet(name: string): Promise<string>;
  count(): Promise<number>;
}

/** Its methods read `this`, as the SDK's clients do. */
class RealGreeter implements Greeter {
  private calls = 0;
  async greet(name: string) {
    this.calls += 1;
    return `Paged ${name}`;
  }
  async count() {
    return this.calls;
  }
}

/** A port whose every load is counted, and whose loads fail while `failing` is above zero. */
function countedPort(failing = 0) {
  const loads = { started: 0, failing };
  let released: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    released = resolve;
  });
  const port = lazyPort<Greeter>({ greet: true, count: true }, async () => {
    loads.started += 1;
    await gate;
    if (loads.failing > 0) {
      loads.failing -= 1;
      throw new Error('Cannot find package @aws-sdk/client-sns');
    }
    return new RealGreeter();
  });
  return { port, loads, release: () => released() };
}

describe('a port loaded on first use', () => {
  it('loads nothing until one of its methods is called', () => {
    const { port, loads } = countedPort();
    expect(Object.keys(port).sort()).toEqual(['count', 'greet']);
    expect(loads.started).toBe(0);
  });

  it('loads once for concurrent first calls, and the calls reach the real port', async () => {
    const { port, loads, release } = countedPort();
    const calls = Promise.all([port.greet('Ada'), port.greet('Grace'), port.count()]);
    release();
    await expect(calls).resolves.toEqual(['Paged Ada', 'Paged Grace', 2]);
    await expect(port.count()).resolves.toBe(2);
    expect(loads.started).toBe(1);
  });

  it('tries the load again on the next call after one failed, and every waiting call got the failure', async () => {
    const { port, loads, release } = countedPort(1);
    const first = Promise.allSettled([port.greet('Ada'), port.count()]);
    release();
    expect((await first).map((result) => result.status)).toEqual(['rejected', 'rejected']);
    await expect(port.greet('Ada')).resolves.toBe('Paged Ada');
    expect(loads.started).toBe(2);
  });

  it('has no member but the methods named: no absent optional member seems present, and it is not a promise', async () => {
    const escalation = lazyPort<Pick<EscalationRunner, 'start' | 'stopRun'>>({ start: true, stopRun: true }, () =>
      Promise.reject(new Error('never loaded')),
    );
    const runner: EscalationRunner = escalation;
    expect(runner.ladderTime).toBeUndefined();
    await expect(Promise.resolve(escalation)).resolves.toBe(escalation);
    // And `npx tsc` fails here if lazyPort ever accepts a port with a member that returns no
    // promise: the caller of a synchronous member could not wait for the load.
    // @ts-expect-error EscalationRunner's ladderTime is synchronous
    lazyPort<EscalationRunner>({ start: true, stopRun: true, ladderTime: true }, async () => runner);
  });
});

describe("Klaxon's ports on AWS, loaded on first use", () => {
  const events = mockClient(EventBridgeClient);
  const sfn = mockClient(SFNClient);
  beforeEach(() => {
    events.reset();
    sfn.reset();
  });

  it('publish lifecycle events on the bus named', async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    const publisher = awsLifecyclePublisher('klaxon-incidents');
    await publisher.publish([lifecycleEvent('opened', anIncident(), '2026-11-20T10:15:00.000Z')]);
    expect(events.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries?.[0]?.EventBusName)).toEqual([
      'klaxon-incidents',
    ]);
  });

  it('start and stop ladders, and start post-mortem reminders, on the state machines named', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:started' });
    const { escalation, postmortems } = awsStepFunctions(
      { SEV1: 'arn:aws:states:us-east-1:123456789012:stateMachine:klaxon-sev1' },
      'arn:aws:states:us-east-1:123456789012:stateMachine:klaxon-postmortem',
    );
    await escalation.stopRun({ incidentId: '01ABC', severity: 'SEV1', executionName: '01ABC-r1' }, 'resolved');
    await postmortems.start({
      incidentId: '01ABC',
      run: 1,
      resolvedAt: '2026-11-20T10:15:00.000Z',
      executionName: '01ABC-r1',
    });
    expect(sfn.commandCalls(StopExecutionCommand)[0]?.args[0].input.executionArn).toBe(
      'arn:aws:states:us-east-1:123456789012:execution:klaxon-sev1:01ABC-r1',
    );
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.stateMachineArn).toBe(
      'arn:aws:states:us-east-1:123456789012:stateMachine:klaxon-postmortem',
    );
  });
});
