/**
 * The functions' ports on AWS services other than DynamoDB, each loading its adapter and SDK client
 * on its first call (lazyPort, lazy.ts): a cold start loads only the clients its request calls.
 * Only types are imported statically from those adapters and SDKs: any value import, a constant
 * included, would load the module and its SDK at module init (test/unit/init-closure.test.ts).
 * Nor is an SDK package imported dynamically here: esbuild keeps the whole of a package imported
 * with `import()`, every command of the service, so each adapter module builds its own client
 * from the names it imports (test/infra/bundles.test.ts holds the bundles to 1 MB).
 */
import type { AlertInboxDispatcher } from '../core/alert-inbox.js';
import type { Severity } from '../core/config.js';
import { loadOnce } from '../core/load-once.js';
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
import { lazyPort } from './lazy.js';
import type { SmsVoiceOrigin } from './sms-voice-send.js';

export function awsLifecyclePublisher(eventBusName: string): LifecyclePublisher {
  return lazyPort<LifecyclePublisher>({ publish: true }, async () => {
    const { eventBridgePublisher, newEventBridgeClient } = await import('./eventbridge-publisher.js');
    return eventBridgePublisher(newEventBridgeClient(), eventBusName);
  });
}

/** The escalation ladders and the post-mortem reminders: one Step Functions client for both. */
export function awsStepFunctions(
  stateMachines: Partial<Record<Severity, string>>,
  postmortemStateMachine: string,
): { escalation: EscalationRunner; postmortems: PostmortemReminderRunner } {
  const load = loadOnce(async () => {
    const adapters = await import('./step-functions-escalation.js');
    const client = adapters.newSFNClient();
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
    const { eventBridgeOneTimeSchedules, schedulerSettingsFromEnvironment, newSchedulerClient } = await import(
      './eventbridge-scheduler.js'
    );
    let settings: SchedulerSettings | undefined;
    return eventBridgeOneTimeSchedules(
      newSchedulerClient(),
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
    const { secretsManagerAckKey, newSecretsManagerClient } = await import('./ack-key.js');
    return secretsManagerAckKey(newSecretsManagerClient(), secretArn);
  });
}

/**
 * SNS alone, or End User Messaging for calls and SMS when the stack has an origination identity,
 * with SNS for the email: each client is loaded by the first page that uses it.
 */
export function awsPager(responderTopicArnPrefix: string, smsVoice: SmsVoiceOrigin | undefined): Pager {
  const sns = lazyPort<Pager>({ page: true }, async () => {
    const { snsPager, newSNSClient } = await import('./sns-pager.js');
    return snsPager(newSNSClient(), responderTopicArnPrefix);
  });
  if (!smsVoice) return sns;
  return lazyPort<Pager>({ page: true }, async () => {
    const { smsVoicePager, newPinpointSMSVoiceV2Client } = await import('./sms-voice-pager.js');
    return smsVoicePager(sns, newPinpointSMSVoiceV2Client(), smsVoice);
  });
}

export function awsSmsSender(): SmsSender {
  return lazyPort<SmsSender>({ send: true }, async () => {
    const { snsSmsSender, newSNSClient } = await import('./sns-sms-sender.js');
    return snsSmsSender(newSNSClient());
  });
}

export function awsChatPublisher(chatTopicArn: string): ChatPublisher {
  return lazyPort<ChatPublisher>({ publish: true }, async () => {
    const { snsChatPublisher, newSNSClient } = await import('./sns-chat-publisher.js');
    return snsChatPublisher(newSNSClient(), chatTopicArn);
  });
}

/** Only per-alert Alertmanager deliveries fan out: every other alert never loads the Lambda client. */
export function awsInboxDispatcher(functionName: string): AlertInboxDispatcher {
  return lazyPort<AlertInboxDispatcher>({ dispatch: true }, async () => {
    const { lambdaInboxDispatcher, newLambdaClient } = await import('./lambda-inbox-dispatcher.js');
    return lambdaInboxDispatcher(newLambdaClient(), functionName);
  });
}
