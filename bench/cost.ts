/**
 * Cost model, counted rather than guessed: one incident per severity tier and scenario on its own
 * local runtime, with every billable unit counted where it happens (state transitions from the
 * execution's event log, DynamoDB capacity units returned by dynalite, SNS publishes and
 * EventBridge events from the outbox, Lambda and HTTP API invocations from the requests made),
 * then priced at the published us-east-1 prices below.
 *
 * Scenarios (each ends with the incident resolved once its ladder is over):
 *  - acknowledged_at_once: acknowledged right after the first page;
 *  - acknowledged_at_ack_target: acknowledged when the page sent at the tier's ack target
 *    reaches the responder (or at the ladder's end when no step is due then);
 *  - never_acknowledged: the ladder runs to its end.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type KlaxonConfig, type KlaxonConfigInput, SEVERITIES, type Severity } from '../lambdas/core/config.js';
import { parseDurationSeconds } from '../lambdas/core/duration.js';
import type { IncidentWithTimeline } from '../lambdas/core/incident.js';
import { STATUS_UPDATE_LOOK } from '../lambdas/core/page-kinds.js';
import { KlaxonStack } from '../lib/klaxon-stack.js';
import { ladderWalked } from '../local/local-step-functions.js';
import { type LocalRuntime, startLocalRuntime } from '../local/runtime.js';
import { triggerBody } from './intake.js';
import { round, waitFor } from './stats.js';

export const SCENARIOS = ['acknowledged_at_once', 'acknowledged_at_ack_target', 'never_acknowledged'] as const;
export type Scenario = (typeof SCENARIOS)[number];

/** Published on-demand prices, us-east-1, without free tiers (which only lower the bill). */
export const PRICES = {
  stepFunctionsPerTransition: {
    usd: 0.025 / 1000,
    source: 'https://aws.amazon.com/step-functions/pricing/ (Standard: $0.025 per 1,000 state transitions)',
  },
  lambdaPerRequest: { usd: 0.2 / 1e6, source: 'https://aws.amazon.com/lambda/pricing/ ($0.20 per 1M requests)' },
  lambdaPerGbSecond: {
    usd: 0.0000133334,
    source: 'https://aws.amazon.com/lambda/pricing/ (Arm: $0.0000133334 per GB-second)',
  },
  dynamoDbPerWriteUnit: {
    usd: 0.625 / 1e6,
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/ ($0.625 per million write request units)',
  },
  dynamoDbPerReadUnit: {
    usd: 0.125 / 1e6,
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/ ($0.125 per million read request units)',
  },
  snsPerPublish: { usd: 0.5 / 1e6, source: 'https://aws.amazon.com/sns/pricing/ ($0.50 per 1M publish requests)' },
  snsPerEmail: { usd: 2 / 1e5, source: 'https://aws.amazon.com/sns/pricing/ ($2.00 per 100,000 email notifications)' },
  eventBridgePerEvent: {
    usd: 1 / 1e6,
    source: 'https://aws.amazon.com/eventbridge/pricing/ ($1.00 per million custom events)',
  },
  schedulerPerInvocation: {
    usd: 1 / 1e6,
    source: 'https://aws.amazon.com/eventbridge/pricing/ (Scheduler: $1.00 per million scheduled invocations)',
  },
  httpApiPerRequest: {
    usd: 1 / 1e6,
    source: 'https://aws.amazon.com/api-gateway/pricing/ (HTTP APIs: $1.00 per million requests)',
  },
} as const;

/** Assumptions the counts cannot give: the functions' memory and billed time per invocation. */
export const ASSUMPTIONS = {
  lambdaMemoryMb: 256,
  lambdaBilledMsPerInvocation: 100,
  smsNote:
    'SMS deliveries are counted (sms_messages) but not priced: AWS End User Messaging prices them per destination country and carrier.',
};

/**
 * What bills with no traffic, pay-per-use part: an on-demand table (storage only, nothing when
 * empty), Lambda, Standard state machines, SNS topics, an EventBridge bus and an HTTP API; no NAT
 * gateway, no VPC, no provisioned capacity. This is what the idle target ($0.00) refers to.
 */
export const PAY_PER_USE_IDLE_USD_MONTH: Record<string, number> = {
  'DynamoDB on-demand table (empty)': 0,
  'Lambda functions': 0,
  'Step Functions Standard state machines': 0,
  'SNS topics': 0,
  'EventBridge bus and rules': 0,
  'API Gateway HTTP API': 0,
};

/**
 * Resources billed per month whatever the traffic, priced per resource the synthesized stack
 * creates (list prices, free tiers not deducted, like every price here).
 */
export const MONTHLY_PRICES = {
  'AWS::CloudWatch::Alarm': {
    usd: 0.1,
    what: 'CloudWatch alarm (standard resolution, one metric)',
    source:
      'https://aws.amazon.com/cloudwatch/pricing/ (Alarms, standard resolution: $0.10 per alarm metric per month)',
  },
  'AWS::CloudWatch::Dashboard': {
    usd: 3,
    what: 'CloudWatch dashboard',
    source:
      'https://aws.amazon.com/cloudwatch/pricing/ (Dashboards: $3.00 per dashboard per month; the always-free tier covers the first 3 dashboards of an account)',
  },
  'AWS::SecretsManager::Secret': {
    usd: 0.4,
    what: 'Secrets Manager secret (the ack-link signing key)',
    source: 'https://aws.amazon.com/secrets-manager/pricing/ ($0.40 per secret per month)',
  },
  'AWS::KMS::Key': {
    usd: 1,
    what: 'KMS customer managed key',
    source: 'https://aws.amazon.com/kms/pricing/ ($1.00 per customer managed key per month)',
  },
} as const;

/**
 * Counts the resources with a monthly price in the stack as `cdk synth` builds it with default
 * props (no dashboard, the figure the ≤ $3 target is on; bundling skipped).
 */
export function standingCharges(config: KlaxonConfigInput) {
  const app = new App({ analyticsReporting: false, context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new KlaxonStack(app, 'Klaxon', { config });
  const resources = Object.values(
    (
      Template.fromStack(stack).toJSON() as {
        Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
      }
    ).Resources,
  );
  const charges: Record<string, { count: number; usd_each: number; usd_month: number; what: string }> = {};
  for (const [type, price] of Object.entries(MONTHLY_PRICES)) {
    const ofType = resources.filter((resource) => resource.Type === type);
    // An alarm on metric math bills one unit per metric it reads.
    const units = ofType.reduce(
      (sum, resource) => sum + (Array.isArray(resource.Properties?.Metrics) ? resource.Properties.Metrics.length : 1),
      0,
    );
    if (units === 0) continue;
    charges[type] = { count: units, usd_each: price.usd, usd_month: round(units * price.usd, 2), what: price.what };
  }
  const usd_month = round(
    Object.values(charges).reduce((sum, charge) => sum + charge.usd_month, 0),
    2,
  );
  return { usd_month, charges };
}

export interface Usage {
  state_transitions: number;
  lambda_invocations: number;
  lambda_gb_seconds: number;
  http_api_requests: number;
  dynamodb_read_units: number;
  dynamodb_write_units: number;
  sns_publishes: number;
  sms_messages: number;
  email_messages: number;
  eventbridge_events: number;
  /** One-time schedules that invoke a function: the status-update looks. */
  scheduler_invocations: number;
}

export function priceOf(usage: Usage): number {
  return (
    usage.state_transitions * PRICES.stepFunctionsPerTransition.usd +
    usage.lambda_invocations * PRICES.lambdaPerRequest.usd +
    usage.lambda_gb_seconds * PRICES.lambdaPerGbSecond.usd +
    usage.http_api_requests * PRICES.httpApiPerRequest.usd +
    usage.dynamodb_read_units * PRICES.dynamoDbPerReadUnit.usd +
    usage.dynamodb_write_units * PRICES.dynamoDbPerWriteUnit.usd +
    usage.sns_publishes * PRICES.snsPerPublish.usd +
    usage.email_messages * PRICES.snsPerEmail.usd +
    usage.eventbridge_events * PRICES.eventBridgePerEvent.usd +
    usage.scheduler_invocations * PRICES.schedulerPerInvocation.usd
  );
}

type WithInput = { input: Record<string, unknown> };
const itemKind = (input: Record<string, unknown>): string | undefined => {
  const key = (input.Item ?? input.Key) as Record<string, unknown> | undefined;
  const sk = key?.sk as string | { S?: string } | undefined;
  return typeof sk === 'string' ? sk : sk?.S;
};

/**
 * Asks dynalite for the capacity each call consumed. dynalite reports the table's units only, so
 * writes to an incident item (the one item type in the status index) add the index's write: one,
 * or two when the status (the index key) changes, as DynamoDB bills it.
 */
function countCapacity(client: DynamoDBClient) {
  const units = { read: 0, write: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const { input } = args as unknown as WithInput;
      input.ReturnConsumedCapacity = 'TOTAL';
      const result = await next(args);
      const output = result.output as { ConsumedCapacity?: { CapacityUnits?: number } };
      const consumed = output.ConsumedCapacity?.CapacityUnits ?? 0;
      const isRead = /^(Get|Query|BatchGet)/.test(context.commandName ?? '');
      if (isRead) units.read += consumed;
      else {
        units.write += consumed;
        if (itemKind(input) === 'INCIDENT') {
          const changesStatus = JSON.stringify(input.ExpressionAttributeValues ?? {}).includes('STATUS#');
          units.write += changesStatus ? 2 : 1;
        }
      }
      return result;
    },
    { step: 'initialize', name: 'countCapacity', priority: 'low' },
  );
  return units;
}

/**
 * The status-update looks (lambdas/core/reminders.ts) run on one-time schedules, not states: each
 * look is one schedule that fires once (a schedule moved under the same name still fires once),
 * so the distinct names scheduled count Scheduler's invocations and the page function's. The last
 * one, planned before the resolution, fires later and finds it resolved: counted too.
 */
function countStatusUpdateLooks(runtime: LocalRuntime): Set<string> {
  const names = new Set<string>();
  const schedule = runtime.schedules.schedule.bind(runtime.schedules);
  runtime.schedules.schedule = async (name, at, work) => {
    if (work.payload.klaxon === STATUS_UPDATE_LOOK) names.add(name);
    await schedule(name, at, work);
  };
  return names;
}

/** The tier's ladder end and ack target in seconds; the time scale squeezes the longer into ~3 s. */
function timeScaleFor(config: KlaxonConfig, severity: Severity): number {
  const policy = config.severityPolicy[severity];
  const ladderEnd = Math.max(0, ...policy.ladder.map((step) => parseDurationSeconds(step.after) ?? 0));
  return Math.max(1, Math.round(ladderEnd / 3));
}

/** Events API v2 severities, which the default policy maps to the tiers. */
const EVENTS_V2_SEVERITY: Record<Severity, string> = { SEV1: 'critical', SEV2: 'error', SEV3: 'warning', SEV4: 'info' };

async function post(runtime: LocalRuntime, path: string, body: string) {
  const response = await fetch(`${runtime.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  if (response.status >= 300) throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`);
  return response;
}

/** The post-mortem reminder machine's state that waits days for the first reminder. */
const POSTMORTEM_FIRST_WAIT = 'Wait until the first reminder';
/** After that Wait: Remind before the deadline, Still not done?, Wait until the deadline, Remind at the deadline, Reminders over. */
const POSTMORTEM_TRANSITIONS_AHEAD = 5;

async function runScenario(config: KlaxonConfig, severity: Severity, scenario: Scenario) {
  const runtime = await startLocalRuntime({
    port: 0,
    timeScale: timeScaleFor(config, severity),
    config,
    verbose: false,
  });
  try {
    const capacity = countCapacity(runtime.dynamodb.client);
    const looks = countStatusUpdateLooks(runtime);
    const dedupKey = `bench/cost/${severity}/${scenario}`;
    await post(runtime, '/v1/alerts/events', triggerBody(dedupKey, EVENTS_V2_SEVERITY[severity]));
    const [{ incidentId } = { incidentId: '' }] = runtime.stepFunctions.list().map((execution) => execution.input);
    const execution = runtime.stepFunctions.list()[0];
    if (!execution) throw new Error(`No execution for ${severity} ${scenario}`);
    const timeline = async () =>
      (await (await fetch(`${runtime.url}/v1/incidents/${incidentId}`)).json()) as IncidentWithTimeline;
    let apiRequests = 0;
    const acknowledge = async () => {
      await post(runtime, `/v1/incidents/${incidentId}/acknowledge`, JSON.stringify({ by: 'primary-oncall' }));
      apiRequests += 1;
    };

    const policy = config.severityPolicy[severity];
    const ackTargetSeconds = parseDurationSeconds(policy.ackTarget) ?? 0;
    const stepAtTarget = policy.ladder.findIndex(
      (step) => (parseDurationSeconds(step.after) ?? 0) === ackTargetSeconds,
    );
    if (scenario === 'acknowledged_at_once') {
      await waitFor(
        async () => ((await timeline()).timeline.some((entry) => entry.type === 'paged') ? true : undefined),
        'the first page',
      );
      await acknowledge();
    }
    if (scenario === 'acknowledged_at_ack_target' && stepAtTarget >= 0) {
      await waitFor(
        async () =>
          (await timeline()).timeline.some((entry) => entry.type === 'paged' && entry.step === stepAtTarget)
            ? true
            : undefined,
        'the page at the ack target',
      );
      await acknowledge();
    }
    // The ladder's end; the status-update looks go on, on their schedules, until the resolution.
    await waitFor(() => (ladderWalked(execution) ? true : undefined), `the end of the ${severity} ladder`);
    if (scenario === 'acknowledged_at_ack_target' && stepAtTarget < 0) await acknowledge();
    await post(runtime, `/v1/incidents/${incidentId}/resolve`, JSON.stringify({ by: 'primary-oncall' }));
    apiRequests += 1;
    // The after-resolution execution: the notice to those paged, then (SEV1, SEV2) two post-mortem
    // reminders days later, which this run does not wait for. It is counted once it ended (no
    // deadline) or waits for the first reminder: what follows, for a post-mortem never marked
    // done, is the first reminder's Task and Choice, the second's Wait and Task, and the end
    // (POSTMORTEM_TRANSITIONS_AHEAD), with one invocation and one email per reminder, added below.
    const afterResolution = await waitFor(() => {
      const found = runtime.stepFunctions.list('postmortem-reminder')[0];
      return found && (found.status !== 'RUNNING' || found.statesEntered.includes(POSTMORTEM_FIRST_WAIT))
        ? found
        : undefined;
    }, `the ${severity} resolution notice`);
    const postmortemReminders = parseDurationSeconds(policy.postmortemDue) ? 2 : 0;

    const pages = runtime.outbox.pages();
    const invoking = new Set(['Page the responders', 'Tell those paged it is resolved']);
    const pageInvocations = [...execution.statesEntered, ...afterResolution.statesEntered].filter((state) =>
      invoking.has(state),
    ).length;
    const lambdaInvocations = 1 + apiRequests + pageInvocations + postmortemReminders + looks.size;
    const usage: Usage = {
      state_transitions:
        execution.stateTransitions +
        afterResolution.stateTransitions +
        (postmortemReminders ? POSTMORTEM_TRANSITIONS_AHEAD : 0),
      lambda_invocations: lambdaInvocations,
      lambda_gb_seconds: round(
        lambdaInvocations * (ASSUMPTIONS.lambdaMemoryMb / 1024) * (ASSUMPTIONS.lambdaBilledMsPerInvocation / 1000),
        4,
      ),
      http_api_requests: 1 + apiRequests,
      dynamodb_read_units: capacity.read,
      dynamodb_write_units: capacity.write,
      sns_publishes: pages.length + postmortemReminders,
      sms_messages: pages.filter((page) => page.sms !== null).length,
      email_messages: pages.filter((page) => page.email !== null).length + postmortemReminders,
      eventbridge_events: runtime.outbox.messages.filter((message) => message.service === 'events').length,
      scheduler_invocations: looks.size,
    };
    return usage;
  } finally {
    await runtime.stop();
  }
}

/** `stackConfig`: the config file as written, which the stack compiles into the functions. */
export async function costModel(config: KlaxonConfig, stackConfig: KlaxonConfigInput) {
  const standing = standingCharges(stackConfig);
  const usage: Record<string, Record<string, Usage>> = {};
  const perIncident: Record<string, Record<string, number>> = {};
  const month100: Record<string, Record<string, number>> = {};
  const month10k: Record<string, Record<string, number>> = {};
  // Tiers in parallel (their ladders mostly wait), scenarios of a tier one after another.
  await Promise.all(
    SEVERITIES.map(async (severity) => {
      usage[severity] = {};
      perIncident[severity] = {};
      month100[severity] = {};
      month10k[severity] = {};
      for (const scenario of SCENARIOS) {
        const counted = await runScenario(config, severity, scenario);
        const usd = priceOf(counted);
        usage[severity][scenario] = counted;
        perIncident[severity][scenario] = round(usd, 6);
        month100[severity][scenario] = round(usd * 100, 4);
        month10k[severity][scenario] = round(usd * 10_000, 2);
      }
    }),
  );
  return {
    usage,
    per_incident_usd: perIncident,
    month_usd_at_100_incidents: month100,
    month_usd_at_10000_incidents: month10k,
    idle_usd_month: Object.values(PAY_PER_USE_IDLE_USD_MONTH).reduce((sum, usd) => sum + usd, 0),
    idle_pay_per_use_usd_month: PAY_PER_USE_IDLE_USD_MONTH,
    standing_usd_month: standing.usd_month,
    standing_charges: standing.charges,
    prices: { ...PRICES, monthly: MONTHLY_PRICES },
    assumptions: ASSUMPTIONS,
  };
}
