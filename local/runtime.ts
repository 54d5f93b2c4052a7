/**
 * Klaxon on one machine: dynalite, the HTTP gateway, the escalation state machines on
 * aws-local-stepfunctions, the outbox and the EventBridge stand-in, wired to the very handlers
 * that run on Lambda. `npm start` runs it; the end-to-end tests start it in-process.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { localAckKey } from '../lambdas/adapters/ack-key.js';
import { dynamoAlertInbox } from '../lambdas/adapters/dynamo-alert-inbox.js';
import { dynamoChangeEvents } from '../lambdas/adapters/dynamo-change-events.js';
import { dynamoHandoffRecords } from '../lambdas/adapters/dynamo-handoff-records.js';
import { dynamoHeartbeats } from '../lambdas/adapters/dynamo-heartbeats.js';
import { dynamoIncidentStore } from '../lambdas/adapters/dynamo-incident-store.js';
import { dynamoIntakeRecords } from '../lambdas/adapters/dynamo-intake-records.js';
import { dynamoOverrides } from '../lambdas/adapters/dynamo-overrides.js';
import { dynamoSmsReplies } from '../lambdas/adapters/dynamo-sms-replies.js';
import { PUT_EVENTS_MAX_BYTES } from '../lambdas/adapters/eventbridge-publisher.js';
import { SNS_PUBLISH_MAX_BYTES, snsRefusal } from '../lambdas/adapters/sns-publish.js';
import { snsSignatureVerifier } from '../lambdas/adapters/sns-signature.js';
import { systemClock, ulidGenerator } from '../lambdas/adapters/system.js';
import { redriveInbox } from '../lambdas/core/alert-inbox.js';
import { CHAT_EVENT_PATTERN } from '../lambdas/core/chat-notifications.js';
import { CHANNELS, type Channel, type KlaxonConfig, parseConfig } from '../lambdas/core/config.js';
import type { HandoffRequest } from '../lambdas/core/handoffs.js';
import { type InboxChunkRef, inboxEvent } from '../lambdas/core/intake-invocations.js';
import type { Clock } from '../lambdas/core/ports.js';
import type { SmsReplyResult } from '../lambdas/core/sms-replies.js';
import {
  type ChatActionResult,
  InvalidChatActionError,
  makeChatActionHandler,
} from '../lambdas/handlers/chat-action.js';
import type { HandlerDeps, IntakeHandlerDeps, PagingHandlerDeps } from '../lambdas/handlers/deps.js';
import { htmlResult, page } from '../lambdas/handlers/html.js';
import { makeIncidentsApiHandler } from '../lambdas/handlers/incidents-api.js';
import { makeIntakeHandler } from '../lambdas/handlers/intake.js';
import type { Logger } from '../lambdas/handlers/logger.js';
import { makeNotifyChatHandler } from '../lambdas/handlers/notify-chat.js';
import { makePageRespondersHandler } from '../lambdas/handlers/page-responders.js';
import { makeSmsReplyHandler } from '../lambdas/handlers/receive-sms-reply.js';
import type { FunctionName } from '../lambdas/handlers/routes.js';
import { makeWebConsoleHandler } from '../lambdas/handlers/web-console.js';
import { ALARM_STATE_CHANGE_PATTERN } from '../lambdas/schemas/cloudwatch-alarm-event.js';
import type { InboundSmsPayload } from '../lambdas/schemas/inbound-sms.js';
import { LocalAsyncInvoker } from './async-invoker.js';
import type { AwsCallRecorder } from './aws-calls.js';
import { asLocalClock } from './clock.js';
import { LOCAL_SIGN_IN_PATH, localSignIn } from './console-sign-in.js';
import { matchesPattern } from './event-rules.js';
import {
  type LambdaHttpHandler,
  lambdaContext,
  matchRoute,
  RequestTooLargeError,
  readBody,
  sendJson,
  toApiGatewayEvent,
  writeLambdaResult,
} from './gateway.js';
import { startHandoffTimers } from './handoff-timers.js';
import { type LocalDynamoDb, startLocalDynamoDb } from './local-dynamodb.js';
import { LocalStepFunctions } from './local-step-functions.js';
import { refuseUnlessLoopback } from './loopback-only.js';
import { LocalOneTimeSchedules } from './one-time-schedules.js';
import { Outbox } from './outbox.js';
import { resumeEscalations, resumePostmortemReminders } from './resume-escalations.js';
import { LocalSns, localSigningIdentity, type SnsEnvelope } from './sns-stand-in.js';
import { type StartupGate, startupGate } from './startup-gate.js';

export const DEFAULT_CONFIG_FILE = 'klaxon.config.json';
/** The local stand-in for the deployment's origination number, which replies are sent to. */
export const LOCAL_ORIGINATION_NUMBER = '+15550100000';
const LOCAL_TWO_WAY_TOPIC_ARN = 'arn:aws:sns:local:000000000000:klaxon-sms-replies';

/** An SMS a phone sends to the origination number; `messageId` again is SNS redelivering it. */
export interface LocalInboundSms {
  from: string;
  body: string;
  messageId?: string;
}
const TABLE_NAME = 'klaxon-local';
const PAGE_FUNCTION_ARN = 'arn:aws:lambda:local:000000000000:function:klaxon-page-responders';

export interface LocalRuntimeOptions {
  /** 0 picks a free port (tests). */
  port: number;
  host?: string;
  /** Run the ladder this many times faster. */
  timeScale?: number;
  /** Keep dynalite's data here across restarts; in memory when absent. */
  dataDir?: string;
  /** A validated config, or the path of a config file (default klaxon.config.json). */
  config?: KlaxonConfig | string;
  /** Print a line per page, event and request outcome (default true). */
  verbose?: boolean;
  /**
   * What "now" is for the handlers, the outbox, the executions and the handoffs (default the
   * system clock). A ManualClock (local/clock.ts) also drives the Wait states: tests advance it.
   */
  clock?: Clock;
  /** Publishes that fail from the start, per responder and channel (also `POST /_local/sns/failures`). */
  failDeliveries?: { responder: string; channels: Channel[] }[];
  /** How long a request that arrives during start-up waits for the runtime before a 503 (default 10 s). */
  startupWaitMs?: number;
  /** Called once the port is open, before the runtime is ready: tests send requests from here. */
  afterListen?: (url: string) => Promise<void> | void;
  /** Records the AWS calls of each intake invocation (the bench's call counts); off by default. */
  awsCalls?: AwsCallRecorder;
  /**
   * Page SMS suggest replying to acknowledge, as on a deployment with a two-way SMS topic
   * (`npm start` turns it on). `POST /_local/sms/inbound` takes replies either way.
   */
  smsReplies?: boolean;
}

export interface LocalRuntime {
  url: string;
  port: number;
  config: KlaxonConfig;
  outbox: Outbox;
  stepFunctions: LocalStepFunctions;
  deps: HandlerDeps;
  /** The intake function's deps (maintenance windows, sender notices, SNS checks). */
  intakeDeps: IntakeHandlerDeps;
  /** The SNS stand-in: signs and delivers as SNS would. */
  sns: LocalSns;
  /** The intake function's asynchronous invocations (its alert inbox), as Lambda would queue and retry them. */
  intakeAsync: LocalAsyncInvoker;
  /** Invokes the intake function with an event and waits for its answer, as `aws lambda invoke` does. */
  invokeIntake(event: unknown): Promise<unknown>;
  dynamodb: LocalDynamoDb;
  /** The one DynamoDB table, for tools that talk to dynalite directly (the bench). */
  tableName: string;
  /** The one-time schedules made at run time (EventBridge Scheduler's, on AWS). */
  schedules: LocalOneTimeSchedules;
  /** Invokes the chat-action function as a chat channel's Acknowledge or Resolve button does. */
  pressChatButton(request: unknown): Promise<ChatActionResult>;
  /** Invokes the page function with a handoff schedule's payload, as EventBridge Scheduler would. */
  handoffs: { notify(request: HandoffRequest): Promise<unknown> };
  /** Delivers an inbound SMS to the SMS reply function exactly as the two-way SMS topic would. */
  smsInbound(sms: LocalInboundSms): Promise<{ payload: InboundSmsPayload; results: SmsReplyResult[] }>;
  stop(): Promise<void>;
}

/** The topic the local configuration set's event destination stands for. */
const LOCAL_DELIVERY_EVENTS_TOPIC_ARN = 'arn:aws:sns:local:000000000000:klaxon-delivery-events';

export function loadConfigFile(path: string): KlaxonConfig {
  const absolute = resolve(path);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(absolute, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read the Klaxon config ${absolute}: ${(error as Error).message}`);
  }
  return parseConfig(raw, `config ${path}`);
}

function consoleLogger(verbose: boolean): Logger {
  const line = (level: string, message: string, extra: Record<string, unknown>[]) => {
    const context = extra.length > 0 ? ` ${JSON.stringify(Object.assign({}, ...extra))}` : '';
    console.log(`[klaxon] ${level} ${message}${context}`);
  };
  return {
    info: (message, ...extra) => verbose && line('info', message, extra),
    warn: (message, ...extra) => line('warn', message, extra),
    error: (message, ...extra) => line('error', message, extra),
  };
}

export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const server: Server = createServer();
  const startup = startupGate(options.startupWaitMs);
  server.on('request', startup.serve);
  const undo: (() => Promise<void>)[] = [];
  try {
    return await wireLocalRuntime(options, server, startup, undo);
  } catch (error) {
    // Requests that came in while starting are answered, then the port and the store are closed.
    startup.fail(error);
    await new Promise<void>((resolveClose) => {
      server.close(() => resolveClose());
      server.closeIdleConnections();
    });
    for (const step of undo.reverse()) await step();
    throw error;
  }
}

async function wireLocalRuntime(
  options: LocalRuntimeOptions,
  server: Server,
  startup: StartupGate,
  undo: (() => Promise<void>)[],
): Promise<LocalRuntime> {
  const verbose = options.verbose ?? true;
  const config =
    typeof options.config === 'object' ? options.config : loadConfigFile(options.config ?? DEFAULT_CONFIG_FILE);
  const logger = consoleLogger(verbose);
  const clock = asLocalClock(options.clock ?? systemClock);
  const outbox = new Outbox((line) => verbose && console.log(`[klaxon] ${line}`), clock);
  for (const failure of options.failDeliveries ?? []) outbox.failDeliveries(failure.responder, failure.channels);

  const dynamo = await startLocalDynamoDb({ dataDir: options.dataDir, tableName: TABLE_NAME });
  undo.push(() => dynamo.close());
  const calls = options.awsCalls;
  calls?.installOn(dynamo.client);
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://localhost:${port}`;
  await options.afterListen?.(url);

  const store = dynamoIncidentStore(dynamo.client, TABLE_NAME);
  const overrides = dynamoOverrides(dynamo.client, TABLE_NAME);
  const ackKey = localAckKey(options.dataDir);
  const schedules = new LocalOneTimeSchedules(clock, logger, options.dataDir);
  undo.push(() => schedules.stop());
  const pagingDeps: PagingHandlerDeps = {
    config,
    store,
    overrides,
    pager: outbox.pager(),
    events: outbox.publisher(),
    clock,
    apiBaseUrl: url,
    logger,
    ackKey,
    handoffs: dynamoHandoffRecords(dynamo.client, TABLE_NAME),
    schedules,
    ...(options.smsReplies ? { smsReplies: true } : {}),
  };
  // Status-update reminders count their interval in scaled time, like the ladder's waits.
  const pageResponders = makePageRespondersHandler({ ...pagingDeps, timeScale: options.timeScale ?? 1 });
  const stepFunctions = new LocalStepFunctions({
    pageFunctionArn: PAGE_FUNCTION_ARN,
    functions: { [PAGE_FUNCTION_ARN]: (payload) => pageResponders(payload, lambdaContext('klaxon-page-responders')) },
    timeScale: options.timeScale ?? 1,
    clock,
    onChange: (execution) =>
      execution.status !== 'RUNNING' &&
      logger.info(`Escalation ${execution.name} ${execution.status.toLowerCase()}`, { error: execution.error }),
  });
  undo.push(() => stepFunctions.shutdown());
  const deps: HandlerDeps = {
    config,
    store,
    overrides,
    changes: dynamoChangeEvents(dynamo.client, TABLE_NAME),
    // The stand-ins are no SDK clients: the calls they stand for are counted at the ports.
    escalation: calls ? calls.escalation(stepFunctions) : stepFunctions,
    postmortems: calls ? calls.postmortems(stepFunctions.postmortems) : stepFunctions.postmortems,
    events: calls ? calls.events(outbox.publisher()) : outbox.publisher(),
    clock,
    ids: ulidGenerator(),
    logger,
    ackKey,
    schedules,
  };
  // The stack's chat rule on the lifecycle bus, with the same pattern and the same function.
  outbox.addBusRule({
    name: 'chat-notifications',
    pattern: CHAT_EVENT_PATTERN,
    target: makeNotifyChatHandler({ chat: outbox.chatPublisher(), apiBaseUrl: url, logger }),
  });
  const pressChatButton = makeChatActionHandler(deps);
  const sns = new LocalSns(await localSigningIdentity(options.dataDir), clock);
  // The intake function invokes itself for its inbox, as on AWS: bound below, once it exists.
  const intakeAsync = new LocalAsyncInvoker(
    'klaxon-intake',
    (event) => intake(event, lambdaContext('klaxon-intake')),
    logger,
  );
  const inboxDispatcher = { dispatch: (ref: InboxChunkRef) => intakeAsync.invoke(inboxEvent(ref)) };
  const unwatchIntake = clock.watchWork(() => intakeAsync.busy);
  undo.push(async () => unwatchIntake());
  const intakeDeps: IntakeHandlerDeps = {
    ...deps,
    records: dynamoIntakeRecords(dynamo.client, TABLE_NAME),
    inbox: dynamoAlertInbox(dynamo.client, TABLE_NAME),
    heartbeats: dynamoHeartbeats(dynamo.client, TABLE_NAME),
    inboxDispatcher: calls ? calls.inboxDispatcher(inboxDispatcher) : inboxDispatcher,
    sns: {
      verifier: snsSignatureVerifier(
        calls ? calls.certificateFetcher(sns.certificateFetcher()) : sns.certificateFetcher(),
      ),
      confirmSubscription: calls
        ? calls.subscriptionConfirmer(sns.subscriptionConfirmer())
        : sns.subscriptionConfirmer(),
    },
  };
  const handleIntake = makeIntakeHandler(intakeDeps);
  // Every way in (the HTTP routes, the alarm rule, its inbox, invokeIntake) is one invocation.
  const intake: typeof handleIntake = calls
    ? (event, context) => calls.request('intake', () => handleIntake(event, context))
    : handleIntake;
  const signIn = localSignIn(config, clock);
  const functions: Record<FunctionName, LambdaHttpHandler> = {
    intake: (event, context) => intake(event, context),
    'incidents-api': makeIncidentsApiHandler(deps),
    'web-console': makeWebConsoleHandler(deps, { outbox: () => outbox.messages, signIn: signIn.flow }),
  };
  // Executions live in memory: ladders running when a `--data` runtime stopped are re-planned now.
  const resumed = await resumeEscalations(deps);
  if (resumed > 0) logger.info(`Resumed the escalation of ${resumed} incident(s) from the stored data`);
  const postmortems = await resumePostmortemReminders(deps);
  if (postmortems > 0) logger.info(`Resumed the post-mortem reminders of ${postmortems} incident(s)`);
  // Lambda's queue of async invocations is durable; this one lives in memory, so the inbox chunks
  // a `--data` runtime had not received when it stopped are dispatched again now: the operator's
  // redrive on AWS, run at every start.
  const { dispatched } = await redriveInbox(intakeDeps);
  if (dispatched > 0) logger.info(`Resumed ${dispatched} alert inbox chunk(s) from the stored data`);
  const handoffs = {
    notify: (request: HandoffRequest) => pageResponders(request, lambdaContext('klaxon-page-responders')),
  };
  const handoffTimers = startHandoffTimers({
    config,
    clock,
    notify: handoffs.notify,
    logger,
  });
  schedules.start({
    intake: (payload) => intake(payload, lambdaContext('klaxon-intake')),
    page: (payload) => pageResponders(payload, lambdaContext('klaxon-page-responders')),
  });
  const eventRules = [{ name: 'alarm-state-change', pattern: ALARM_STATE_CHANGE_PATTERN, target: intake }];
  const smsReplyHandler = makeSmsReplyHandler({
    ...deps,
    sms: outbox.smsSender(),
    smsReplies: dynamoSmsReplies(dynamo.client, TABLE_NAME),
  });
  /** The payload End User Messaging publishes to the two-way topic, in the SNS event Lambda gets. */
  const smsInbound = async (sms: LocalInboundSms) => {
    const payload: InboundSmsPayload = {
      originationNumber: sms.from,
      destinationNumber: LOCAL_ORIGINATION_NUMBER,
      messageKeyword: 'KEYWORD_000000000000',
      messageBody: sms.body,
      inboundMessageId: sms.messageId ?? randomUUID(),
      previousPublishedMessageId: randomUUID(),
    };
    const event = {
      Records: [
        {
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          EventSubscriptionArn: `${LOCAL_TWO_WAY_TOPIC_ARN}:${randomUUID()}`,
          Sns: {
            Type: 'Notification',
            MessageId: randomUUID(),
            TopicArn: LOCAL_TWO_WAY_TOPIC_ARN,
            Subject: null,
            Message: JSON.stringify(payload),
            Timestamp: clock.now().toISOString(),
            MessageAttributes: {},
          },
        },
      ],
    };
    const results = (await smsReplyHandler(event, lambdaContext('klaxon-sms-replies'))) as SmsReplyResult[];
    return { payload, results };
  };

  async function handleLocal(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    if (request.method === 'POST' && path === LOCAL_SIGN_IN_PATH) {
      return writeLambdaResult(response, signIn.signIn(request, (await readBody(request)).toString('utf8')));
    }
    if (request.method === 'GET' && path === '/_local/outbox')
      return sendJson(response, 200, { messages: outbox.messages });
    if (request.method === 'GET' && path === '/_local/schedules') {
      return sendJson(response, 200, { schedules: schedules.list() });
    }
    if (request.method === 'GET' && path === '/_local/executions') {
      return sendJson(response, 200, { executions: stepFunctions.list('all') });
    }
    if (request.method === 'POST' && path === '/_local/sns/failures') {
      let body: { responder?: unknown; channels?: unknown };
      try {
        body = JSON.parse((await readBody(request)).toString('utf8'));
      } catch (error) {
        return sendJson(response, 400, { message: `Body is not JSON: ${(error as Error).message}` });
      }
      const channels = Array.isArray(body.channels) ? body.channels : [];
      if (typeof body.responder !== 'string' || !channels.every((c) => CHANNELS.includes(c))) {
        return sendJson(response, 400, {
          message:
            'Send {"responder": "<responder id>", "channels": ["sms", "email", "voice"]} (any of them); an empty list heals the responder',
        });
      }
      outbox.failDeliveries(body.responder, channels as Channel[]);
      return sendJson(response, 200, { responder: body.responder, failing: channels });
    }
    if (request.method === 'POST' && path === '/_local/events') {
      let event: unknown;
      const body = await readBody(request);
      if (body.byteLength > PUT_EVENTS_MAX_BYTES) {
        return sendJson(response, 400, {
          code: 'ValidationException',
          message: `An event of ${body.byteLength} bytes is over EventBridge's limit of ${PUT_EVENTS_MAX_BYTES}`,
        });
      }
      try {
        event = JSON.parse(body.toString('utf8'));
      } catch (error) {
        return sendJson(response, 400, { message: `Body is not a JSON event: ${(error as Error).message}` });
      }
      const matched = eventRules.filter((rule) => matchesPattern(event, rule.pattern));
      const results = [];
      for (const rule of matched) {
        try {
          results.push({ rule: rule.name, result: await rule.target(event, lambdaContext('klaxon-intake')) });
        } catch (error) {
          // EventBridge would retry the target; here the caller sees the failure and may post again.
          return sendJson(response, 502, { message: `Rule ${rule.name} target failed: ${(error as Error).message}` });
        }
      }
      return sendJson(response, 200, { matchedRules: matched.map((rule) => rule.name), results });
    }
    if (request.method === 'POST' && path === '/_local/sms/events') return handleSmsEvent(request, response);
    if (request.method === 'POST' && path === '/_local/chat/actions') {
      let body: unknown;
      try {
        body = JSON.parse((await readBody(request)).toString('utf8'));
      } catch (error) {
        return sendJson(response, 400, { message: `Body is not JSON: ${(error as Error).message}` });
      }
      // As a chat channel's button invokes the chat-action function; a payload it refuses is a 400 here.
      try {
        return sendJson(response, 200, await pressChatButton(body));
      } catch (error) {
        if (!(error instanceof InvalidChatActionError)) throw error;
        return sendJson(response, 400, { message: error.message });
      }
    }
    if (request.method === 'POST' && path === '/_local/sms/inbound') {
      let body: { from?: unknown; body?: unknown; messageId?: unknown };
      try {
        body = JSON.parse((await readBody(request)).toString('utf8'));
      } catch (error) {
        return sendJson(response, 400, { message: `Body is not JSON: ${(error as Error).message}` });
      }
      if (
        typeof body?.from !== 'string' ||
        typeof body.body !== 'string' ||
        (body.messageId !== undefined && typeof body.messageId !== 'string')
      ) {
        return sendJson(response, 400, {
          message:
            'Send {"from": "<phone, E.164>", "body": "ACK 142"}, and "messageId" to deliver the same message again as SNS redelivers it',
        });
      }
      const sms: LocalInboundSms = { from: body.from, body: body.body };
      if (typeof body.messageId === 'string') sms.messageId = body.messageId;
      try {
        return sendJson(response, 200, await smsInbound(sms));
      } catch (error) {
        // SNS would retry the delivery; here the caller sees the failure and may post again.
        return sendJson(response, 502, { message: `The SMS reply function failed: ${(error as Error).message}` });
      }
    }
    if (request.method === 'GET' && path === '/_local/sns/subscriptions') {
      return sendJson(response, 200, { confirmed: sns.confirmedSubscriptions });
    }
    if (request.method === 'POST' && path.startsWith('/_local/sns/')) return handleLocalSns(request, response, path);
    return sendJson(response, 404, { message: `No local endpoint ${request.method} ${path}` });
  }

  /**
   * One End User Messaging event record (the JSON its configuration set's event destination
   * publishes), delivered to the page function as that destination's SNS topic would.
   */
  async function handleSmsEvent(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    if (body.byteLength > SNS_PUBLISH_MAX_BYTES) {
      return sendJson(response, 400, { message: `An event record of ${body.byteLength} bytes is over SNS's limit` });
    }
    const message = body.toString('utf8');
    try {
      JSON.parse(message);
    } catch (error) {
      return sendJson(response, 400, {
        message: `Body is not an End User Messaging event record (JSON): ${(error as Error).message}`,
      });
    }
    const event = {
      Records: [
        {
          EventSource: 'aws:sns',
          EventSubscriptionArn: `${LOCAL_DELIVERY_EVENTS_TOPIC_ARN}:local`,
          Sns: {
            Type: 'Notification',
            MessageId: randomUUID(),
            TopicArn: LOCAL_DELIVERY_EVENTS_TOPIC_ARN,
            Message: message,
          },
        },
      ],
    };
    try {
      return sendJson(response, 200, await pageResponders(event, lambdaContext('klaxon-page-responders')));
    } catch (error) {
      // SNS would retry the function; here the caller sees the failure and may post again.
      return sendJson(response, 502, { message: `The page function failed: ${(error as Error).message}` });
    }
  }

  /** The SNS stand-in: publish (a Notification), subscribe and unsubscribe (the confirmations). */
  async function handleLocalSns(request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
    let input: { TopicArn?: unknown; Subject?: unknown; Message?: unknown };
    try {
      input = JSON.parse((await readBody(request)).toString('utf8')) as typeof input;
    } catch (error) {
      return sendJson(response, 400, { message: `Body is not JSON: ${(error as Error).message}` });
    }
    if (typeof input?.TopicArn !== 'string' || input.TopicArn === '') {
      return sendJson(response, 400, { message: 'TopicArn is required (a string)' });
    }
    let envelope: SnsEnvelope;
    if (path === '/_local/sns/publish') {
      if (typeof input.Message !== 'string')
        return sendJson(response, 400, { message: 'Message is required (a string)' });
      if (input.Subject !== undefined && typeof input.Subject !== 'string') {
        return sendJson(response, 400, { message: 'Subject must be a string' });
      }
      const refusal = snsRefusal({ TopicArn: input.TopicArn, Message: input.Message, Subject: input.Subject });
      if (refusal) return sendJson(response, 400, { code: 'InvalidParameter', message: refusal });
      envelope = sns.notification({ TopicArn: input.TopicArn, Message: input.Message, Subject: input.Subject });
    } else if (path === '/_local/sns/subscribe' || path === '/_local/sns/unsubscribe') {
      const type = path.endsWith('/subscribe') ? 'SubscriptionConfirmation' : 'UnsubscribeConfirmation';
      envelope = sns.confirmation(type, input.TopicArn);
    } else {
      return sendJson(response, 404, { message: `No local endpoint POST ${path}` });
    }
    const delivery = await sns.deliver(`${url}/v1/alerts/cloudwatch`, envelope);
    return sendJson(response, 200, { messageId: envelope.MessageId, message: envelope, delivery });
  }

  // A request under way is work a manual clock waits for (the SNS stand-in's delivery is one).
  let requestsInFlight = 0;
  const unwatchRequests = clock.watchWork(() => requestsInFlight > 0);
  startup.open(async (request: IncomingMessage, response: ServerResponse) => {
    requestsInFlight += 1;
    response.once('close', () => {
      requestsInFlight -= 1;
    });
    try {
      const refused = refuseUnlessLoopback(request, port);
      if (refused) return sendJson(response, 403, { message: refused });
      const requestUrl = new URL(request.url ?? '/', url);
      if (requestUrl.pathname.startsWith('/_local/')) return await handleLocal(request, response, requestUrl.pathname);
      const matched = matchRoute(request.method ?? 'GET', requestUrl.pathname);
      if (!matched) {
        return sendJson(response, 404, { message: `No route ${request.method} ${requestUrl.pathname}` });
      }
      const body = await readBody(request);
      const event = toApiGatewayEvent(request, requestUrl, body, matched);
      if (matched.route.auth === 'session') {
        // The sign-in authorizer's part: no session, no console (API Gateway answers 401 so too).
        const session = signIn.authorize(event);
        if (!session) {
          return writeLambdaResult(
            response,
            htmlResult(
              401,
              page('Sign in', '<h1>Not signed in</h1><p><a href="/auth/sign-in">Sign in</a> to use the console.</p>'),
            ),
          );
        }
        Object.assign(event.requestContext, { authorizer: { lambda: session } });
      }
      const result = await functions[matched.route.function](event, lambdaContext(`klaxon-${matched.route.function}`));
      writeLambdaResult(response, result);
    } catch (error) {
      if (error instanceof RequestTooLargeError) {
        // The rest of the body is still on its way: close the connection rather than read it.
        response.setHeader('connection', 'close');
        return sendJson(response, 413, { message: error.message });
      }
      logger.error('Local gateway failed', { error: String(error) });
      if (!response.headersSent) sendJson(response, 500, { message: 'Local gateway error; see the terminal' });
    }
  });

  return {
    url,
    port,
    config,
    outbox,
    stepFunctions,
    deps,
    intakeDeps,
    sns,
    intakeAsync,
    invokeIntake: (event) => intake(event, lambdaContext('klaxon-intake')),
    pressChatButton,
    dynamodb: dynamo,
    tableName: TABLE_NAME,
    handoffs,
    schedules,
    smsInbound,
    async stop() {
      await handoffTimers.stop();
      await schedules.stop();
      await intakeAsync.stop();
      await stepFunctions.shutdown();
      await new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      });
      await dynamo.close();
      unwatchRequests();
      unwatchIntake();
    },
  };
}
