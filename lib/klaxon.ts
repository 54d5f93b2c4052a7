/**
 * Klaxon, as one construct another CDK app can embed: the incident store, alert intake,
 * escalation, paging, the lifecycle event bus and the HTTP API, wired together, and the alarms
 * (and, if asked for, the dashboard) that watch them.
 *
 * ```ts
 * import { Klaxon } from 'klaxon';
 * new Klaxon(stack, 'Klaxon', { config, healthSubscribers: { emails: ['platform@example.com'] } });
 * ```
 */
import { Annotations, Lazy, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/adapters/environment.js';
import { type KlaxonConfig, type KlaxonConfigInput, parseConfig, SEVERITIES } from '../lambdas/core/config.js';
import { publicKeysIn } from '../lambdas/core/integration-keys.js';
import { AckSigningKey } from './ack-signing.js';
import { AlarmTopic } from './alarm-topic.js';
import { AlertIntake } from './alert-intake.js';
import { type ChatChannels, KlaxonChat } from './chat.js';
import { ConsoleSignIn } from './console-sign-in.js';
import { EscalationWorkflows, XRAY_ACTIONS } from './escalation.js';
import { IncidentEventBus } from './events.js';
import { HandoffSchedules } from './handoffs.js';
import { type HealthSubscribers, KlaxonHealth } from './health.js';
import { KlaxonHttpApi, type KlaxonHttpApiProps } from './http-api.js';
import { IncidentManagement } from './incident-management.js';
import { IncidentStore } from './incident-store.js';
import { ResponderPaging } from './paging.js';
import { RuntimeSchedules } from './runtime-schedules.js';
import { SmsReplies } from './sms-replies.js';

export interface KlaxonProps {
  /**
   * The Klaxon config as written in klaxon.config.json. It is validated here (an invalid one
   * throws ConfigError naming the field) and compiled into every function as written.
   */
  readonly config: KlaxonConfigInput;
  /**
   * Start of the names people and other tools see: the lifecycle bus (`<prefix>-incidents`),
   * responder topics (`<prefix>-responder-<id>`), the alarm intake topic (`<prefix>-alarms`), the
   * health topic (`<prefix>-health`), the dashboard and the HTTP API. Letters, digits, `-` and
   * `_`, at most 64 characters.
   * @default the stack name
   */
  readonly namePrefix?: string;
  /**
   * A customer-managed KMS key for the incident table and the link-signing secret (Klaxon's
   * functions and state machines get to use it). Without one, each service's AWS-managed key.
   * @default AWS-managed keys (`aws/dynamodb`, `aws/secretsmanager`)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * X-Ray active tracing on the functions and the state machines.
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * Stack traces in the functions' logs that point into the TypeScript sources
   * (`NODE_OPTIONS=--enable-source-maps`, reading the maps the bundles carry), for about 20 ms more
   * of every cold start: Node reads every loaded file's map at load. Without it the traces name
   * the minified files, and each file's map is in the function's code to read them by.
   * @default false
   */
  readonly sourceMaps?: boolean;
  /**
   * Who hears about Klaxon's own failures (failed escalations, function errors, undelivered
   * pages), on the health topic: never the responders' topics, which may be what is broken.
   * @default nobody (synth warns)
   */
  readonly healthSubscribers?: HealthSubscribers;
  /**
   * Requests per second for each route group of the HTTP API (alert intake, ack links, console,
   * management); groups left out keep their default.
   * @default DEFAULT_ROUTE_THROTTLES (lib/http-api.ts)
   */
  readonly apiThrottles?: KlaxonHttpApiProps['throttles'];
  /**
   * A CloudWatch dashboard (`<prefix>-klaxon`) of incidents opened and pages sent per severity,
   * time to acknowledge and resolve, escalations and the alarms' states. Off by default: at $3 a
   * month (beyond an account's first 3 dashboards) it would be half of what Klaxon bills at rest,
   * and every alarm is there without it.
   * @default false
   */
  readonly dashboard?: boolean;
  /**
   * The End User Messaging SMS and Voice phone number (or pool) pages leave from, by ARN: needed
   * for `voice` in a tier's ladder; with it, SMS pages leave from it too and a carrier's rejection
   * falls back (docs/configuration.md, "Voice calls").
   * @default none: SMS through the responders' SNS topics, and a config with `voice` is refused
   */
  readonly originationIdentityArn?: string;
  /**
   * Slack and Microsoft Teams channels that hear about incidents (opened, escalated, acknowledged,
   * resolved, reopened, post-mortem due) through Amazon Q Developer in chat applications, with
   * Acknowledge and Resolve buttons. Authorise the workspace or tenant in the Amazon Q Developer
   * console first (docs/deploy.md, Chat).
   * @default no chat (no topic, no functions)
   */
  readonly chat?: ChatChannels;
  /**
   * The prefix of the console's sign-in domain, `https://<prefix>.auth.<region>.amazoncognito.com`:
   * unique in the region, 1 to 63 lower-case letters, digits and hyphens, without "aws", "amazon"
   * or "cognito".
   * @default the name prefix in lower case, a hyphen and the account id
   */
  readonly signInDomainPrefix?: string;
  /**
   * The SNS topic two-way SMS on Klaxon's origination number publishes inbound messages to (AWS
   * End User Messaging SMS, the number's two-way channel). Klaxon subscribes a function that
   * acknowledges or resolves as the responder whose registered phone replied `ACK 142` or
   * `RES 142`, and answers by SMS; page SMS then suggest the reply instead of the link.
   * @default no SMS replies (page SMS carry the acknowledge link)
   */
  readonly twoWaySmsTopic?: sns.ITopic;
}

/** A Klaxon prop a person has to fix; the message names the prop. */
export class KlaxonPropsError extends Error {
  override name = 'KlaxonPropsError';
}

const NAME_PREFIX = /^[A-Za-z0-9_-]{1,64}$/;
const E164 = /^\+[1-9]\d{6,14}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** How to replace a public key; synth's refusal and docs/deploy.md say the same. */
export const MAKE_A_REAL_KEY =
  'Make a real key with `npx klaxon keys new --name <sender>` (it shows the key once and prints the integrationKeys entry with its SHA-256), or write a deploy config with fresh keys with `npx klaxon init`.';

/**
 * A deployed Klaxon is reachable by anyone: a key printed in the README or the repository would
 * let anyone open SEV1s, page the whole ladder or resolve real incidents.
 */
function refusePublicKeys(config: KlaxonConfig): void {
  const found = publicKeysIn(config.integrationKeys);
  if (found.length === 0) return;
  const which = found.map((key) => `integrationKeys[${key.index}] "${key.name}" is ${key.publishedAs}`).join('; ');
  throw new KlaxonPropsError(
    `Klaxon will not deploy a key anyone can read: ${which}. Anyone who has read it could page your responders. ${MAKE_A_REAL_KEY}`,
  );
}

/** A call needs a number to call from: a config asking for one without it would fail every such page. */
function refuseVoiceWithoutIdentity(config: KlaxonConfig, originationIdentityArn: string | undefined): void {
  if (originationIdentityArn !== undefined) return;
  const calling = SEVERITIES.filter((severity) =>
    config.severityPolicy[severity].ladder.some((step) => step.channels.includes('voice')),
  );
  if (calling.length === 0) return;
  throw new KlaxonPropsError(
    `${calling.join(', ')} page by "voice", which needs an End User Messaging phone number with voice: request one, then deploy with -c originationIdentityArn=<its ARN> (docs/deploy.md), or take "voice" out of those ladders.`,
  );
}

const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The sign-in domain's prefix: as given (checked), or made from the name prefix and the account. */
function signInDomainPrefix(given: string | undefined, namePrefix: string, account: string): string {
  if (given === undefined) {
    // A name prefix known only at deploy cannot be put in lower case here.
    if (Token.isUnresolved(namePrefix)) return `klaxon-${account}`;
    return `${namePrefix
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .replace(/aws|amazon|cognito/g, 'x')}-${account}`;
  }
  if (!DOMAIN_PREFIX.test(given) || /aws|amazon|cognito/.test(given)) {
    throw new KlaxonPropsError(
      `Klaxon signInDomainPrefix "${given}" must be 1 to 63 lower-case letters, digits and hyphens (not at either end), without "aws", "amazon" or "cognito"`,
    );
  }
  return given;
}

function validateProps(props: KlaxonProps, namePrefix: string): void {
  // A token (e.g. Aws.STACK_NAME) is only known at deploy; CloudFormation will check it then.
  if (!namePrefix.includes('${Token') && !NAME_PREFIX.test(namePrefix)) {
    throw new KlaxonPropsError(
      `Klaxon namePrefix "${namePrefix}" must be 1 to 64 letters, digits, "-" or "_" (it starts topic, bus and dashboard names)`,
    );
  }
  props.healthSubscribers?.emails?.forEach((email, index) => {
    if (!EMAIL.test(email)) {
      throw new KlaxonPropsError(`Klaxon healthSubscribers.emails[${index}] "${email}" is not an email address`);
    }
  });
  props.healthSubscribers?.phones?.forEach((phone, index) => {
    if (!E164.test(phone)) {
      throw new KlaxonPropsError(
        `Klaxon healthSubscribers.phones[${index}] "${phone}" must be an E.164 phone number such as +15550100101`,
      );
    }
  });
}

export class Klaxon extends Construct {
  readonly store: IncidentStore;
  readonly eventBus: IncidentEventBus;
  readonly paging: ResponderPaging;
  /** EventBridge Scheduler schedules that notify the incoming on-call person at each handoff. */
  readonly handoffs: HandoffSchedules;
  /** One-time schedules made at run time (heartbeat deadlines, a maintenance window's end, overrides). */
  readonly schedules: RuntimeSchedules;
  readonly escalation: EscalationWorkflows;
  readonly intake: AlertIntake;
  readonly management: IncidentManagement;
  readonly httpApi: KlaxonHttpApi;
  /** The console's sign-in: the user pool, its managed login and the console routes' authorizer. */
  readonly signIn: ConsoleSignIn;
  /** The topic CloudWatch alarms name as their action to page through Klaxon. */
  readonly alarmTopic: AlarmTopic;
  readonly ackSigningKey: AckSigningKey;
  readonly health: KlaxonHealth;
  /** Present when the chat prop names at least one channel. */
  readonly chat?: KlaxonChat;
  /** The function that takes SMS replies, when the twoWaySmsTopic prop is given. */
  readonly smsReplies?: SmsReplies;

  constructor(scope: Construct, id: string, props: KlaxonProps) {
    super(scope, id);
    // The functions trust this validated config (see bundledConfig in lambdas/adapters/aws-runtime.ts).
    const config = parseConfig(props.config);
    const bundledConfig = config;
    const namePrefix = props.namePrefix ?? Stack.of(this).stackName;
    validateProps(props, namePrefix);
    refusePublicKeys(config);
    refuseVoiceWithoutIdentity(config, props.originationIdentityArn);
    const tracing = props.tracing ?? false;
    const functionOptions = { bundledConfig, tracing, sourceMaps: props.sourceMaps ?? false, serviceName: namePrefix };

    this.store = new IncidentStore(this, 'IncidentStore', { encryptionKey: props.encryptionKey });
    this.ackSigningKey = new AckSigningKey(this, 'AckSigningKey', { encryptionKey: props.encryptionKey });
    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', { topicName: `${namePrefix}-alarms` });
    this.eventBus = new IncidentEventBus(this, 'IncidentEvents', { eventBusName: `${namePrefix}-incidents` });
    this.paging = new ResponderPaging(this, 'Paging', {
      responders: config.responders,
      topicNamePrefix: `${namePrefix}-responder-`,
      store: this.store,
      eventBus: this.eventBus,
      originationIdentityArn: props.originationIdentityArn,
      ...functionOptions,
    });
    this.handoffs = new HandoffSchedules(this, 'Handoffs', { config, pageFunction: this.paging.pageFunction });
    this.escalation = new EscalationWorkflows(this, 'Escalation', {
      pageFunction: this.paging.pageFunction,
      tracing,
    });
    const withEscalation = {
      store: this.store,
      eventBus: this.eventBus,
      escalation: this.escalation,
      ...functionOptions,
    };
    this.intake = new AlertIntake(this, 'AlertIntake', withEscalation);
    this.management = new IncidentManagement(this, 'IncidentManagement', withEscalation);
    this.schedules = new RuntimeSchedules(this, 'RuntimeSchedules', {
      groupName: namePrefix,
      targets: { intake: this.intake.function, page: this.paging.pageFunction },
    });
    // The page function may not name the intake function: intake starts the state machines that
    // invoke the page function, so that reference would be a cycle.
    this.schedules.grantScheduling(this.intake.function, ['intake', 'page']);
    this.schedules.grantScheduling(this.management.function, ['intake', 'page']);
    // The console's "cover this shift" form schedules the override's handoff notices.
    this.schedules.grantScheduling(this.management.consoleFunction, ['page']);
    this.schedules.grantScheduling(this.paging.pageFunction, ['page']);
    // The sign-in's callback is on the API, and the API's console routes need its authorizer:
    // the URL is read once the API exists (its endpoint does not depend on its routes).
    const consoleBaseUrl = Lazy.string({ produce: () => this.httpApi.baseUrl });
    this.signIn = new ConsoleSignIn(this, 'ConsoleSignIn', {
      responders: config.responders,
      consoleBaseUrl,
      domainPrefix: signInDomainPrefix(props.signInDomainPrefix, namePrefix, Stack.of(this).account),
      ...functionOptions,
    });
    this.signIn.bindConsole(this.management.consoleFunction, consoleBaseUrl);
    if (props.twoWaySmsTopic) {
      this.smsReplies = new SmsReplies(this, 'SmsReplies', { ...withEscalation, topic: props.twoWaySmsTopic });
      this.paging.pageFunction.addEnvironment(ENV.smsReplies, 'on');
    }
    this.httpApi = new KlaxonHttpApi(this, 'HttpApi', {
      apiName: namePrefix,
      throttles: props.apiThrottles,
      consoleAuthorizer: this.signIn.authorizerFunction,
      handlers: {
        intake: this.intake.function,
        'incidents-api': this.management.function,
        'web-console': this.management.consoleFunction,
      },
    });
    // Pages carry acknowledge links. The API's endpoint does not depend on its routes, so this
    // adds no cycle (page function → API, routes → intake → state machines → page function).
    this.paging.pageFunction.addEnvironment(ENV.publicBaseUrl, this.httpApi.baseUrl);
    // The page function signs acknowledge links; the management API verifies them.
    this.paging.pageFunction.bindAckSigningKey(this.ackSigningKey);
    this.management.function.bindAckSigningKey(this.ackSigningKey);
    // Alarm notifications reach intake over HTTPS; intake accepts only this topic's.
    this.intake.function.bindAlarmTopics([this.alarmTopic]);
    this.alarmTopic.subscribeApi(this.httpApi.baseUrl, this.httpApi);
    const { slack = [], teams = [] } = props.chat ?? {};
    if (slack.length + teams.length > 0) {
      this.chat = new KlaxonChat(this, 'Chat', {
        channels: { slack, teams },
        namePrefix,
        apiBaseUrl: this.httpApi.baseUrl,
        ...withEscalation,
      });
    }

    this.health = new KlaxonHealth(this, 'Health', {
      topicName: `${namePrefix}-health`,
      dashboardName: props.dashboard ? `${namePrefix}-klaxon` : undefined,
      serviceName: namePrefix,
      subscribers: props.healthSubscribers ?? {},
      watched: {
        stateMachines: {
          ...this.escalation.stateMachines,
          PostmortemReminders: this.escalation.postmortemReminders,
        },
        functions: {
          intake: this.intake.function,
          'incidents-api': this.management.function,
          'web-console': this.management.consoleFunction,
          // Not the sign-in authorizer: API Gateway answers a request whose authorizer failed or was
          // throttled with a 500, which Api-5xx alarms on, so its own two alarms would cost 0.20 USD
          // a month to say the same thing.
          'page-responders': this.paging.pageFunction,
          ...(this.chat ? { 'notify-chat': this.chat.notifyFunction, 'chat-action': this.chat.actionFunction } : {}),
          ...(this.smsReplies ? { 'sms-replies': this.smsReplies.function } : {}),
        },
        api: this.httpApi.api,
        topics: {
          ...Object.fromEntries(
            [...this.paging.topics].map(([responderId, topic]) => [`responder-${responderId}`, topic]),
          ),
          alarms: this.alarmTopic.topic,
          ...(this.chat ? { chat: this.chat.topic } : {}),
        },
        deadLetterQueues: {
          intake: {
            queue: this.intake.deadLetterQueue,
            description:
              'the intake function failed an event after every retry: a CloudWatch alarm event (not paged; its alarm is in the message), or an Alertmanager per-alert inbox chunk, whose alerts stay stored until redriven with {"klaxon":"redrive-inbox"} (docs/operations.md, Dead letters)',
          },
        },
      },
    });
    const { emails = [], phones = [] } = props.healthSubscribers ?? {};
    if (emails.length + phones.length === 0) {
      Annotations.of(this).addWarningV2(
        'klaxon:noHealthSubscribers',
        'Klaxon has no healthSubscribers: nobody will hear when escalations fail or pages go undelivered.',
      );
    }
    if (tracing) acknowledgeTracingWildcard(this);
  }
}

/** Lambda's X-Ray permissions are `*` by necessity: X-Ray has no resource ARNs. */
function acknowledgeTracingWildcard(klaxon: Klaxon): void {
  // The escalation role acknowledges its own `*` (lib/escalation.ts).
  const functions = [
    klaxon.intake.function,
    klaxon.management.function,
    klaxon.management.consoleFunction,
    klaxon.signIn.authorizerFunction,
    klaxon.paging.pageFunction,
    ...(klaxon.chat ? [klaxon.chat.notifyFunction, klaxon.chat.actionFunction] : []),
    ...(klaxon.smsReplies ? [klaxon.smsReplies.function] : []),
  ];
  for (const scope of functions.map((fn) => fn.role ?? fn)) {
    Validations.of(scope).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `X-Ray (${XRAY_ACTIONS.join(', ')}) has no resource-level permissions; tracing was asked for with the tracing prop.`,
    });
  }
}
