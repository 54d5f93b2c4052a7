/**
 * The functions' ports on AWS services other than DynamoDB, each loading its adapter and SDK client
 * on its first call (lazyPort, lazy.ts): a cold start loads only the clients its request calls.
 * Only types are imported statically from those adapters and SDKs: any value import, a constant
 * included, would load the module and its SDK at module init (test/unit/init-closure.test.ts).
 */
import type { AlertInboxDispatcher } from '../core/alert-inbox.js';
import type { Severity } from '../core/config.js';
import type {
  AckKeySource,
  ChatPublisher,
  Clock,
  EscalationRunner,
  LifecyclePublisher,
  OneTimeSchedules,
  Pager,
  PostmortemReminderRunner,
} from '../core/ports.js';
import type { SmsSender } from '../core/sms-replies.js';
import { ENV } from './environment.js';
import type { SchedulerSettings } from './eventbridge-scheduler.js';
import { lazyPort, loadOnce } from './lazy.js';
import type { SmsVoiceOrigin } from './sms-voice-send.js';

export function awsLifecyclePublisher(eventBusName: string): LifecyclePublisher {
  return lazyPort<LifecyclePublisher>({ publish: true }, async () => {
    const [{ eventBridgePublisher }, { EventBridgeClient }] = await Promise.all([
      import('./eventbridge-publisher.js'),
      import('@aws-sdk/client-eventbridge'),
    ]);
    return eventBridgePublisher(new EventBridgeClient({}), eventBusName);
  });
}

/** The escalation ladders and the post-mortem reminders: one Step Functions client for both. */
export function awsStepFunctions(
  stateMachines: Partial<Record<Severity, string>>,
  postmortemStateMachine: string,
): { escalation: EscalationRunner; postmortems: PostmortemReminderRunner } {
  const load = loadOnce(async () => {
    const [adapters, { SFNClient }] = await Promise.all([
      import('./step-functions-escalation.js'),
      import('@aws-sdk/client-sfn'),
    ]);
    const client = new SFNClient({});
    return {
      escalation: adapters.stepFunctionsEscalation(client, stateMachines),
      postmortems: adapters.stepFunctionsPostmortemReminders(client, postmortemStateMachine),
    };
  });
  return {
    // Step Functions keeps no ladder clock of its own: the optional ladderTime stays absent.
    escalation: lazyPort<Pick<EscalationRunner, 'start' | 'stopRun'>>(
      { start: true, stopRun: true },
      async () => (await load()).escalation,
    ),
    postmortems: lazyPort<PostmortemReminderRunner>({ start: true }, async () => (await load()).postmortems),
  };
}

/** The settings are read at the first schedule too: a function that never schedules needs none. */
export function awsOneTimeSchedules(clock: Clock): OneTimeSchedules {
  return lazyPort<OneTimeSchedules>({ schedule: true, cancel: true }, async () => {
    const [{ eventBridgeOneTimeSchedules, schedulerSettingsFromEnvironment }, { SchedulerClient }] = await Promise.all([
      import('./eventbridge-scheduler.js'),
      import('@aws-sdk/client-scheduler'),
    ]);
    let settings: SchedulerSettings | undefined;
    return eventBridgeOneTimeSchedules(
      new SchedulerClient({}),
      () => {
        settings ??= schedulerSettingsFromEnvironment(process.env, {
          group: ENV.scheduleGroup,
          role: ENV.schedulerRoleArn,
          targets: ENV.scheduleTargets,
          functionArnPrefix: ENV.functionArnPrefix,
        });
        return settings;
      },
      clock,
    );
  });
}

/**
 * Ack links are on when the stack names the signing key's secret (ACK_SIGNING_SECRET_ARN, set
 * with its grant); without it `/v1/ack/{token}` answers 503 and pages carry no link.
 */
export function awsAckKey(): AckKeySource | undefined {
  const secretArn = process.env[ENV.ackSigningSecretArn];
  if (!secretArn) return undefined;
  return lazyPort<AckKeySource>({ key: true }, async () => {
    const [{ secretsManagerAckKey }, { SecretsManagerClient }] = await Promise.all([
      import('./ack-key.js'),
      import('@aws-sdk/client-secrets-manager'),
    ]);
    return secretsManagerAckKey(new SecretsManagerClient({}), secretArn);
  });
}

/**
 * SNS alone, or End User Messaging for calls and SMS when the stack has an origination identity,
 * with SNS for the email: each client is loaded by the first page that uses it.
 */
export function awsPager(responderTopicArnPrefix: string, smsVoice: SmsVoiceOrigin | undefined): Pager {
  const sns = lazyPort<Pager>({ page: true }, async () => {
    const [{ snsPager }, { SNSClient }] = await Promise.all([import('./sns-pager.js'), import('@aws-sdk/client-sns')]);
    return snsPager(new SNSClient({}), responderTopicArnPrefix);
  });
  if (!smsVoice) return sns;
  return lazyPort<Pager>({ page: true }, async () => {
    const [{ smsVoicePager }, { PinpointSMSVoiceV2Client }] = await Promise.all([
      import('./sms-voice-pager.js'),
      import('@aws-sdk/client-pinpoint-sms-voice-v2'),
    ]);
    return smsVoicePager(sns, new PinpointSMSVoiceV2Client({}), smsVoice);
  });
}

export function awsSmsSender(): SmsSender {
  return lazyPort<SmsSender>({ send: true }, async () => {
    const [{ snsSmsSender }, { SNSClient }] = await Promise.all([
      import('./sns-sms-sender.js'),
      import('@aws-sdk/client-sns'),
    ]);
    return snsSmsSender(new SNSClient({}));
  });
}

export function awsChatPublisher(chatTopicArn: string): ChatPublisher {
  return lazyPort<ChatPublisher>({ publish: true }, async () => {
    const [{ snsChatPublisher }, { SNSClient }] = await Promise.all([
      import('./sns-chat-publisher.js'),
      import('@aws-sdk/client-sns'),
    ]);
    return snsChatPublisher(new SNSClient({}), chatTopicArn);
  });
}

/** Only per-alert Alertmanager deliveries fan out: every other alert never loads the Lambda client. */
export function awsInboxDispatcher(functionName: string): AlertInboxDispatcher {
  return lazyPort<AlertInboxDispatcher>({ dispatch: true }, async () => {
    const [{ lambdaInboxDispatcher }, { LambdaClient }] = await Promise.all([
      import('./lambda-inbox-dispatcher.js'),
      import('@aws-sdk/client-lambda'),
    ]);
    return lambdaInboxDispatcher(new LambdaClient({}), functionName);
  });
}
