/**
 * The AWS adapters that have no local stand-in (SNS, EventBridge, Step Functions in AWS mode),
 * checked at the SDK boundary with aws-sdk-client-mock.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  PinpointSMSVoiceV2Client,
  SendTextMessageCommand,
  SendVoiceMessageCommand,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
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
import { smsVoicePager } from '../../lambdas/adapters/sms-voice-pager.js';
import { snsPager } from '../../lambdas/adapters/sns-pager.js';
import { snsSubject } from '../../lambdas/adapters/sns-publish.js';
import { stepFunctionsEscalation } from '../../lambdas/adapters/step-functions-escalation.js';
import { lifecycleEvent } from '../../lambdas/core/lifecycle-events.js';
import { anIncident } from '../support/incidents.js';
import { testConfig } from '../support/local.js';

const responder = testConfig().responders[0] ?? (undefined as never);

describe('End User Messaging pager', () => {
  const sns = mockClient(SNSClient);
  const smsVoice = mockClient(PinpointSMSVoiceV2Client);
  beforeEach(() => {
    sns.reset();
    smsVoice.reset();
  });
  const origin = {
    originationIdentity: 'arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-0123456789abcdef',
    configurationSetName: 'klaxon-pages',
  };
  const pager = () =>
    smsVoicePager(
      snsPager(new SNSClient({}), 'arn:aws:sns:us-east-1:123456789012:klaxon-responder-'),
      new PinpointSMSVoiceV2Client({}),
      origin,
    );
  const page = {
    incidentId: '01ABC',
    run: 1,
    step: 1,
    responder: responder.id,
    channels: ['sms', 'email', 'voice'] as const,
  };

  it('calls and texts from the identity with the page as Context, and sends the email alone through the topic', async () => {
    smsVoice.on(SendVoiceMessageCommand).resolves({ MessageId: 'v-1' });
    smsVoice.on(SendTextMessageCommand).resolves({ MessageId: 't-1' });
    sns.on(PublishCommand).resolves({});
    await pager().page({
      responder,
      incidentId: '01ABC',
      subject: '[SEV1] orders-api-5xx',
      sms: 'SEV1 orders-api-5xx: down',
      email: 'INCIDENT DETECTED',
      voice: 'This is Klaxon. Severity 1 incident: orders-api-5xx.',
      page: { ...page, channels: [...page.channels] },
    });
    const context = { incidentId: '01ABC', step: '1/1', responder: responder.id, channels: 'sms+email+voice' };
    expect(smsVoice.commandCalls(SendVoiceMessageCommand).map((c) => c.args[0].input)).toEqual([
      {
        DestinationPhoneNumber: responder.phone,
        OriginationIdentity: origin.originationIdentity,
        ConfigurationSetName: 'klaxon-pages',
        MessageBody: 'This is Klaxon. Severity 1 incident: orders-api-5xx.',
        MessageBodyTextType: 'TEXT',
        VoiceId: 'JOANNA',
        Context: context,
      },
    ]);
    expect(smsVoice.commandCalls(SendTextMessageCommand).map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({
        MessageBody: 'SEV1 orders-api-5xx: down',
        MessageType: 'TRANSACTIONAL',
        Context: context,
      }),
    ]);
    const publish = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(publish?.MessageAttributes?.channel?.StringValue).toBe('["email"]');
    expect(JSON.parse(publish?.Message ?? '')).not.toHaveProperty('sms');
  });

  it('a refused call fails the page before anything else is sent', async () => {
    smsVoice
      .on(SendVoiceMessageCommand)
      .rejects(Object.assign(new Error('Destination not allowed'), { name: 'ValidationException' }));
    await expect(
      pager().page({
        responder,
        subject: 's',
        sms: 'text',
        email: 'body',
        voice: 'words',
        page: { ...page, channels: ['sms'] },
      }),
    ).rejects.toThrow('Destination not allowed');
    expect(smsVoice.commandCalls(SendTextMessageCommand)).toEqual([]);
    expect(sns.commandCalls(PublishCommand)).toEqual([]);
  });

  it('without an identity, a call is refused rather than dropped', async () => {
    await expect(
      snsPager(new SNSClient({}), 'arn:x:').page({ responder, subject: 's', voice: 'words' }),
    ).rejects.toThrow(/no End User Messaging origination identity/);
  });
});

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
    await lambdaInboxDispatcher(new LambdaClient({}), 'klaxon-intake').dispatch({ inbox: 'abc123', chunk: 4 });
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
    await expect(
      lambdaInboxDispatcher(new LambdaClient({}), 'klaxon-intake').dispatch({ inbox: 'abc123', chunk: 0 }),
    ).rejects.toThrow('TooManyRequestsException');
  });
});
