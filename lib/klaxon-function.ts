/**
 * Every Klaxon Lambda function: a Lambda function whose asset esbuild builds from a lambdas/entry
 * file with the project's bundling options (lambdas/bundling-options.ts), its defaults fixed in one
 * place, and `bind*` helpers that set an environment variable and the grant its reader needs in
 * one call, so a function can never get a resource's name without the permission (or the reverse).
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, Duration, type ILocalBundling } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { BuildOptions } from 'esbuild';
import { ENV } from '../lambdas/adapters/environment.js';
import { functionBundleOptions, HANDLER } from '../lambdas/bundling-options.js';
import type { KlaxonConfig } from '../lambdas/core/config.js';
import type { AckSigningKey } from './ack-signing.js';
import type { AlarmTopic } from './alarm-topic.js';
import type { EscalationWorkflows } from './escalation.js';
import type { IncidentEventBus } from './events.js';
import { type IncidentStore, ITEM_ACTIONS, type ItemAction } from './incident-store.js';

/** The repository root: esbuild's working directory and the base of every entry path. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * How esbuild builds a function's asset into `outdir`: the bundle lambdas/bundling-options.ts
 * defines, plus source maps for stack traces. A function of its own so tests can check it: the
 * infrastructure tests skip bundling.
 */
export function klaxonBundling(bundledConfig: KlaxonConfig, entry: string, outdir: string): BuildOptions {
  return {
    ...functionBundleOptions(bundledConfig, join(REPO_ROOT, entry), outdir),
    absWorkingDir: REPO_ROOT,
    sourcemap: true,
    // The maps are only for stack traces; the sources themselves would double the asset.
    sourcesContent: false,
    // Synth prints esbuild's warnings and errors, not a size report per bundle.
    logLevel: 'warning',
  };
}

/**
 * Bundles in the synth's own process with esbuild (a devDependency), never in Docker. CDK caches a
 * bundle by its bundling options' fields (functions left out), so the entry and the config's
 * digest are fields here: two functions, or one function under two configs, never share a bundle.
 */
function esbuildBundling(entry: string, bundledConfig: KlaxonConfig): ILocalBundling {
  return {
    entry,
    configDigest: createHash('sha256').update(JSON.stringify(bundledConfig)).digest('hex'),
    tryBundle(outputDir: string): boolean {
      // Required here, not imported: a synth that skips bundling (tests, `cdk diff` of other
      // stacks) needs no esbuild, and CDK's bundling hook is synchronous.
      const { buildSync } = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
      buildSync(klaxonBundling(bundledConfig, entry, outputDir));
      return true;
    },
  } as ILocalBundling;
}

/**
 * What bindResponderTopics needs of the responders' topics (ResponderPaging in lib/paging.ts, which
 * builds its page function with this class, so this module does not import it).
 */
export interface ResponderTopics {
  readonly topicArnPrefix: string;
  grantPublish(grantee: iam.IGrantable): iam.Grant;
}

export interface KlaxonFunctionProps {
  /** The handler file, relative to the repository root. It must export `handler`. */
  readonly entry: string;
  /** What the function is for, shown in the Lambda console. */
  readonly description: string;
  /** The validated Klaxon config (parseConfig's output, defaults filled in), compiled into the bundle. */
  readonly bundledConfig: KlaxonConfig;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /**
   * X-Ray active tracing (the invocation's segments; the SDK calls are not instrumented, so the
   * bundle does not grow).
   * @default false
   */
  readonly tracing?: boolean;
  /**
   * NODE_OPTIONS=--enable-source-maps: stack traces through the bundle's source maps, at about
   * 20 ms of every cold start (see the Klaxon construct's `sourceMaps`).
   * @default false
   */
  readonly sourceMaps?: boolean;
  /**
   * POWERTOOLS_SERVICE_NAME: the `service` dimension of the function's metrics and field of its
   * logs, which tells two Klaxons in one account apart.
   * @default 'klaxon'
   */
  readonly serviceName?: string;
}

/** The options lib/klaxon.ts gives every function alike. */
export type KlaxonFunctionOptions = Pick<
  KlaxonFunctionProps,
  'bundledConfig' | 'tracing' | 'sourceMaps' | 'serviceName'
>;

/**
 * What a function that opens, acknowledges, resolves or re-plans incidents works on: it gets
 * TABLE_NAME and every item action, ESCALATION_STATE_MACHINES with permission to start and stop
 * escalations, and EVENT_BUS_NAME with events:PutEvents.
 */
export interface IncidentFunctionProps extends KlaxonFunctionOptions {
  /** Where incidents live. */
  readonly store: IncidentStore;
  /** Where lifecycle events go. */
  readonly eventBus: IncidentEventBus;
  /** The tier state machines. */
  readonly escalation: EscalationWorkflows;
}

export class KlaxonFunction extends lambda.Function {
  /** A function that acts on incidents, with the access that takes (see IncidentFunctionProps). */
  static forIncidents(
    scope: Construct,
    id: string,
    what: Pick<KlaxonFunctionProps, 'entry' | 'description'>,
    props: IncidentFunctionProps,
  ): KlaxonFunction {
    return new KlaxonFunction(scope, id, {
      ...what,
      bundledConfig: props.bundledConfig,
      tracing: props.tracing,
      sourceMaps: props.sourceMaps,
      serviceName: props.serviceName,
    })
      .bindTable(props.store, ITEM_ACTIONS)
      .bindEscalation(props.escalation, { start: true, stop: true })
      .bindEventBus(props.eventBus);
  }

  constructor(scope: Construct, id: string, props: KlaxonFunctionProps) {
    // Created first so its retention is ours, not "never expire" on a group Lambda makes itself.
    const logGroup = new logs.LogGroup(scope, `${id}LogGroup`, {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    });
    // Our own role instead of the default one with AWSLambdaBasicExecutionRole, whose log
    // permissions cover every log group in the account: this one may write to its own only.
    const role = new iam.Role(scope, `${id}Role`, {
      description: props.description,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    logGroup.grantWrite(role);
    super(scope, id, {
      code: lambda.Code.fromAsset(REPO_ROOT, {
        // Hashed after bundling, on what deploys: a change that leaves the bundle as it was does
        // not update the function.
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Used only if local bundling declined, which it never does: it bundles or fails the synth.
          image: lambda.Runtime.NODEJS_24_X.bundlingImage,
          local: esbuildBundling(props.entry, props.bundledConfig),
        },
      }),
      handler: HANDLER,
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      logGroup,
      role,
      tracing: props.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      environment: {
        // Stack traces point into the TypeScript sources, through the bundle's source maps.
        ...(props.sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? 'klaxon',
      },
    });
  }

  /** TABLE_NAME, and exactly these item actions on the table and its index. */
  bindTable(store: IncidentStore, actions: readonly ItemAction[]): this {
    this.addEnvironment(ENV.tableName, store.table.tableName);
    store.grantItemActions(this, actions);
    return this;
  }

  /** EVENT_BUS_NAME, and events:PutEvents on that bus. */
  bindEventBus(eventBus: IncidentEventBus): this {
    this.addEnvironment(ENV.eventBusName, eventBus.bus.eventBusName);
    eventBus.grantPublish(this);
    return this;
  }

  /**
   * ESCALATION_STATE_MACHINES (severity → ARN) and POSTMORTEM_STATE_MACHINE, and permission to
   * start escalations and/or stop them (resolving an incident stops its execution and starts its
   * post-mortem reminders).
   */
  bindEscalation(escalation: EscalationWorkflows, access: { start: boolean; stop: boolean }): this {
    this.addEnvironment(ENV.stateMachines, escalation.stateMachineArnsJson);
    this.addEnvironment(ENV.postmortemStateMachine, escalation.postmortemReminders.stateMachineArn);
    if (access.start) escalation.grantStartExecution(this);
    if (access.stop) {
      escalation.grantStopExecution(this);
      escalation.grantStartPostmortemReminders(this);
    }
    return this;
  }

  /** RESPONDER_TOPIC_ARN_PREFIX, and sns:Publish on exactly the responders' topics. */
  bindResponderTopics(topics: ResponderTopics): this {
    this.addEnvironment(ENV.responderTopicArnPrefix, topics.topicArnPrefix);
    topics.grantPublish(this);
    return this;
  }

  /** ACK_SIGNING_SECRET_ARN (the secret's ARN, never its value), and GetSecretValue on it. */
  bindAckSigningKey(signingKey: AckSigningKey): this {
    this.addEnvironment(ENV.ackSigningSecretArn, signingKey.secret.secretArn);
    signingKey.grantRead(this);
    return this;
  }

  /** ALLOWED_SNS_TOPIC_ARNS: the topics whose notifications the function accepts (no permission needed: SNS pushes). */
  bindAlarmTopics(topics: readonly AlarmTopic[]): this {
    this.addEnvironment(ENV.allowedSnsTopicArns, topics.map((alarmTopic) => alarmTopic.topic.topicArn).join(','));
    return this;
  }
}
