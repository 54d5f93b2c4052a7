/**
 * The AWS adapters that have no local stand-in (SNS, EventBridge, Step Functions in AWS mode),
 * checked at the SDK boundary with aws-sdk-client-mock.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { eventBridgePublisher } from '../../lambdas/adapters/eventbridge-publisher.js';
import { lambdaInboxDispatcher } from '../../lambdas/adapters/lambda-inbox-dispatcher.js';
import { snsPager } from '../../lambdas/adapters/sns-pager.js';
import { snsSubject } from '../../lambdas/adapters/sns-publish.js';
import { stepFunctionsEscalation } from '../../lambdas/adapters/step-functions-escalation.js';
import { lifecycleEvent } from '../../lambdas/core/lifecycle-events.js';
import { anIncident } from '../support/incidents.js';
import { testConfig } from '../support/local.js';

const responder = testConfig().responders[0] ?? (undefined as never);

describe('SNS pager', () => {
  const sns = mockClient(SNSClient);
  beforeEach(() => sns.reset());

  it('publishes to the responder topic with a body per protocol and the channels as a filterable attribute', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    await snsPager(new SNSClient({}), 'arn:aws:sns:us-east-1:123456789012:klaxon-responder-').page({
      responder,
      incidentId: '01ABC',
      subject: '[SEV1] orders-api-5xx',
      sms: 'SEV1 orders-api-5xx: down',
      email: 'INCIDENT DETECTED',
    });
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:klaxon-responder-primary-oncall',
      MessageStructure: 'json',
      Subject: '[SEV1] orders-api-5xx',
      MessageAttributes: { channel: { DataType: 'String.Array', StringValue: '["sms","email"]' } },
    });
    expect(JSON.parse(input?.Message ?? '')).toEqual({
      default: 'INCIDENT DETECTED',
      sms: 'SEV1 orders-api-5xx: down',
      email: 'INCIDENT DETECTED',
    });
  });

  it('sends an email-only page without an SMS body, so no phone rings', async () => {
    sns.on(PublishCommand).resolves({});
    await snsPager(new SNSClient({}), 'arn:x:').page({ responder, incidentId: '1', subject: 's', email: 'body' });
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(JSON.parse(input?.Message ?? '')).toEqual({ default: 'body', email: 'body' });
    expect(input?.MessageAttributes?.channel?.StringValue).toBe('["email"]');
  });

  it('rejects when SNS fails, so the state machine retries', async () => {
    sns.on(PublishCommand).rejects(new Error('Throttling'));
    await expect(
      snsPager(new SNSClient({}), 'arn:x:').page({ responder, incidentId: '1', subject: 's', sms: 'x' }),
    ).rejects.toThrow('Throttling');
  });

  it('keeps subjects within what SNS accepts: ASCII, one line, under 100 characters', () => {
    const subject = snsSubject(`[SEV1] 🔥 ${'x'.repeat(200)}`);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject.length).toBeLessThan(100);
  });
});

describe('EventBridge publisher', () => {
  const events = mockClient(EventBridgeClient);
  beforeEach(() => events.reset());
  const event = lifecycleEvent('opened', anIncident(), '2026-11-20T10:15:00.000Z');

  it('puts lifecycle events on the bus with a versioned detail', async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    await eventBridgePublisher(new EventBridgeClient({}), 'klaxon-incidents').publish([event]);
    const entry = events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
    expect(entry).toMatchObject({ EventBusName: 'klaxon-incidents', Source: 'klaxon', DetailType: 'Incident Opened' });
    expect(JSON.parse(entry?.Detail ?? '')).toMatchObject({
      version: '1',
      kind: 'opened',
      incident: { id: anIncident().id },
    });
  });

  it('fails when EventBridge rejects an entry, although the call itself succeeded', async () => {
    events
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });
    await expect(eventBridgePublisher(new EventBridgeClient({}), 'bus').publish([event])).rejects.toThrow('try again');
  });
});

describe('Step Functions escalation', () => {
  const sfn = mockClient(SFNClient);
  beforeEach(() => sfn.reset());
  const machines = { SEV1: 'arn:aws:states:us-east-1:123456789012:stateMachine:klaxon-sev1' };
  const input = {
    incidentId: '01ABC',
    severity: 'SEV1',
    openedAt: '2026-11-20T10:15:00.000Z',
    steps: [],
    executionName: '01ABC-r1',
  };

  it('names the execution after the incident and its run, so a second start is the same execution', async () => {
    sfn
      .on(StartExecutionCommand)
      .resolvesOnce({ executionArn: 'arn:exec:1' })
      .rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    const escalation = stepFunctionsEscalation(new SFNClient({}), machines);
    expect(await escalation.start(input)).toEqual({ executionArn: 'arn:exec:1' });
    expect(await escalation.start(input)).toEqual({
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:klaxon-sev1:01ABC-r1',
    });
    expect(sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.name)).toEqual([
      '01ABC-r1',
      '01ABC-r1',
    ]);
  });

  it('stops a run by the name it was started with, and takes one that never started or is gone as stopped', async () => {
    sfn
      .on(StopExecutionCommand)
      .resolvesOnce({})
      .rejects(new ExecutionDoesNotExist({ message: 'never started', $metadata: {} }));
    const escalation = stepFunctionsEscalation(new SFNClient({}), machines);
    await escalation.stopRun({ incidentId: '01ABC', severity: 'SEV1', executionName: '01ABC-r2' }, 'resolved');
    await expect(
      escalation.stopRun({ incidentId: '01ABC', severity: 'SEV1', executionName: '01ABC-r3' }, 'resolved'),
    ).resolves.toBeUndefined();
    expect(sfn.commandCalls(StopExecutionCommand).map((call) => call.args[0].input.executionArn)).toEqual([
      'arn:aws:states:us-east-1:123456789012:execution:klaxon-sev1:01ABC-r2',
      'arn:aws:states:us-east-1:123456789012:execution:klaxon-sev1:01ABC-r3',
    ]);
  });
});

describe('alert inbox dispatcher', () => {
  const lambda = mockClient(LambdaClient);
  beforeEach(() => lambda.reset());

  it("queues the chunk as an asynchronous invocation of the intake function, carrying only the chunk's key", async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    await lambdaInboxDispatcher('klaxon-intake').dispatch({ inbox: 'abc123', chunk: 4 });
    const input = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ FunctionName: 'klaxon-intake', InvocationType: 'Event' });
    expect(JSON.parse(new TextDecoder().decode(input?.Payload as Uint8Array))).toEqual({
      source: 'klaxon.alert-inbox',
      inbox: 'abc123',
      chunk: 4,
    });
  });

  it('rejects when Lambda refuses the invocation, so the sender gets a 5xx and retries', async () => {
    lambda.on(InvokeCommand).rejects(new Error('TooManyRequestsException'));
    await expect(lambdaInboxDispatcher('klaxon-intake').dispatch({ inbox: 'abc123', chunk: 0 })).rejects.toThrow(
      'TooManyRequestsException',
    );
  });
});
