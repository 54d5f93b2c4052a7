/**
 * `npm run bench`: every figure measured side by side in one run on this machine, written to
 * bench/results/latest.json (figures with the method that produced each) and latest.md (tables).
 * Everything runs on loopback against the local runtime started in this process.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { newIntegrationKey } from '../lambdas/core/integration-keys.js';
import { DEFAULT_CONFIG_FILE, loadConfigFile as loadStackConfig } from '../lib/config-file.js';
import { AwsCallRecorder } from '../local/aws-calls.js';
import { type LocalRuntime, type LocalRuntimeOptions, loadConfigFile, startLocalRuntime } from '../local/runtime.js';
import { BUNDLE_CEILING_BYTES, COLD_START_PROCESSES, COLD_START_TARGET_RATIO, measureColdStart } from './cold-start.js';
import { costModel } from './cost.js';
import {
  barePutLatency,
  firstPageLatency,
  INTAKE_RATES,
  INTAKE_SECONDS,
  loadIntake,
  UNLOADED_SETTLE_MS,
  unloadedIntakeLatency,
  waitingForALaterStep,
} from './intake.js';
import { INTAKE_CALLS_METHOD, intakeCalls, type ScenarioCalls } from './intake-calls.js';
import { LIST_INCIDENTS, listAtScale } from './list.js';
import { toMarkdown } from './report.js';
import { round, waitFor } from './stats.js';
import { alarmStorm, STORM_ALARMS, STORM_DELIVERIES } from './storm.js';

const RESULTS_DIR = 'bench/results';

async function withRuntime<T>(
  work: (runtime: LocalRuntime) => Promise<T>,
  options: Partial<LocalRuntimeOptions> = {},
): Promise<T> {
  const runtime = await startLocalRuntime({ port: 0, config, verbose: false, ...options });
  try {
    const result = await work(runtime);
    await settled(runtime);
    return result;
  } finally {
    await runtime.stop();
  }
}

/**
 * Waits until every ladder is waiting for a later step (or over): stopping the runtime while a
 * page task is still writing would close dynalite under it.
 */
async function settled(runtime: LocalRuntime): Promise<void> {
  await waitFor(
    () =>
      runtime.stepFunctions
        .list()
        .every((execution) => execution.status !== 'RUNNING' || waitingForALaterStep(execution.statesEntered))
        ? true
        : undefined,
    'the ladders to settle',
    120_000,
  );
}

function step(name: string) {
  const started = performance.now();
  process.stdout.write(`bench: ${name}…`);
  return () => process.stdout.write(` ${round((performance.now() - started) / 1000, 1)} s\n`);
}

const config = loadConfigFile('klaxon.config.json');
const benchStarted = performance.now();
// The machine may be shared: its 1-minute load average before and after says how much.
const loadBefore = loadavg()[0] ?? 0;

let done = step(`cold start (${COLD_START_PROCESSES} fresh node processes per bundle)`);
const coldStart = await measureColdStart(config);
done();

done = step(`intake at ${INTAKE_RATES.join(' and ')} alerts/s`);
const intake = await withRuntime(async (runtime) => {
  const barePut = await barePutLatency(runtime);
  const unloaded = await unloadedIntakeLatency(runtime);
  const rates = [];
  for (const rate of INTAKE_RATES) rates.push(await loadIntake(runtime, rate));
  return { barePut, unloaded, rates };
});
done();

done = step('AWS calls per intake request (new, duplicate, resolve)');
const recorder = new AwsCallRecorder();
const calls = await withRuntime((runtime) => intakeCalls(runtime, recorder), { awsCalls: recorder });
done();
// latest.json keeps the figures; `npm run bench:calls -- --json` prints each call's trace too.
const callCounts = (scenarios: Record<string, ScenarioCalls>) =>
  Object.fromEntries(Object.entries(scenarios).map(([name, { trace: _, ...figures }]) => [name, figures]));

done = step('alert → first page');
const firstPage = await withRuntime(firstPageLatency);
done();

done = step(`alarm storm (${STORM_DELIVERIES} deliveries of ${STORM_ALARMS} alarms)`);
const storm = await withRuntime(alarmStorm);
done();

done = step(`list on ${LIST_INCIDENTS} incidents`);
const list = await withRuntime(listAtScale);
done();

done = step('cost model (one incident per tier and scenario)');
// The stack as deployed: the local roster with a fresh key (synth refuses the public local key).
const deployed = { ...loadStackConfig(DEFAULT_CONFIG_FILE).raw, integrationKeys: [newIntegrationKey('bench').entry] };
const cost = await costModel(config, deployed);
done();

const [headline] = intake.rates;
if (!headline) throw new Error('No intake rate was measured');
const results = {
  generated_at: new Date().toISOString(),
  machine: {
    cpus: availableParallelism(),
    cpu_model: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    load_average_1m: { before: round(loadBefore), after: round(loadavg()[0] ?? 0) },
  },
  bench_seconds: round((performance.now() - benchStarted) / 1000, 1),
  intake: {
    p50_ms: headline.p50_ms,
    p99_ms: headline.p99_ms,
    at_rate: headline.rate,
    ratio_to_put_p50: round(headline.p50_ms / headline.bare_put_under_load.p50_ms),
    ratio_to_idle_put_p50: round(headline.p50_ms / intake.barePut.p50_ms),
    rates: Object.fromEntries(
      intake.rates.map((rate) => [
        rate.rate,
        {
          ...rate,
          ratio_to_put_p50: round(rate.p50_ms / rate.bare_put_under_load.p50_ms),
          ratio_to_idle_put_p50: round(rate.p50_ms / intake.barePut.p50_ms),
        },
      ]),
    ),
    bare_put: intake.barePut,
    unloaded: { ...intake.unloaded, ratio_to_idle_put_p50: round(intake.unloaded.p50_ms / intake.barePut.p50_ms) },
    calls: callCounts(calls.events_v2),
    calls_cloudwatch: callCounts(calls.cloudwatch_sns),
    calls_method: `${INTAKE_CALLS_METHOD} calls: Events v2 (POST /v1/alerts/events) new = a trigger with a fresh dedup key, duplicate = the same key again once the first page went out, resolve = its resolve; calls_cloudwatch: a CloudWatch alarm through signed SNS (POST /v1/alerts/cloudwatch) new = ALARM, duplicate = the same alarm in ALARM again in a new message, redelivery = SNS retrying that very message, resolve = OK.`,
    unloaded_method: `${intake.unloaded.alerts} alerts one at a time on the idle runtime (after warm-up), each a new SEV1 incident, the next sent once the previous one's ladder waits for its second step (its first page task has finished) and ${UNLOADED_SETTLE_MS} ms more; latency = time to the 202 from a fetch in the bench's process; ratio_to_idle_put_p50 = that p50 / bare_put p50. No queue ahead of any call: the least the loaded ratio could reach with intake as designed.`,
    method: `autocannon in a separate process (so that the load generator's own work is not on the event loop it times), ${INTAKE_SECONDS} s at each fixed overall rate over 20 connections, each alert a new SEV1 incident (Events v2 trigger with its own dedup key) against the local runtime started in the bench's process; latency = time to the 202, which intake sends only after the incident is stored and its execution started (non-2xx excluded and counted). Bare put = conditional PutItem (attribute_not_exists) of a small item through the runtime's own SDK client to the same dynalite, in the same run: rates.<rate>.bare_put_under_load is one put every 10 ms while that rate's load is on (the event loop as busy as intake's own calls find it), bare_put is ${intake.barePut.samples} sequential puts on the idle runtime before any load. ratio_to_put_p50 = intake p50 / bare put p50 under the same load (the target's ratio); ratio_to_idle_put_p50 = intake p50 / idle bare put p50, kept for comparison with runs before the method changed. The runtime's DynamoDB client reaches dynalite in-process (local/in-process-dynalite.ts), for intake and the bare put alike.`,
  },
  first_page: {
    ...firstPage,
    method: `${firstPage.alerts} alerts, one every 20 ms, each a new SEV1 incident; latency = the first page's \`at\` in the outbox minus the time just before its POST (millisecond clock).`,
  },
  bundles: coldStart.bundles,
  init_bytes: coldStart.init_bytes,
  bundle_heaviest_packages: coldStart.bundle_heaviest_packages,
  cold_start: coldStart.cold_start,
  cold_start_method: `each lambdas/entry/*.ts bundled with the options in lambdas/bundling-options.ts (esbuild, ESM, tree-shaken, minified, the AWS SDK bundled in, platform node, target node24, split into index.mjs and the chunks it imports, the validated default config compiled in); bytes = every file of it; init_bytes = the files module init loads (index.mjs and the chunks it imports statically, from the metafile); init_ms = median over ${COLD_START_PROCESSES} fresh \`node\` processes of the time to import index.mjs with every variable the stack sets, interleaved with sdk_floor: a handler that only builds a DynamoDB document client, bundled the same way, in the same run; targets: init ≤ ${COLD_START_TARGET_RATIO} × sdk_floor, bundle ≤ ${BUNDLE_CEILING_BYTES} bytes.`,
  cost: {
    ...cost,
    method:
      'one incident per tier and scenario, each on its own local runtime with its ladder time-scaled; state transitions from the execution event log, DynamoDB units as dynalite reports them (ReturnConsumedCapacity) plus status-index writes, SNS publishes and EventBridge events from the outbox, one Lambda and one HTTP API request per alert, acknowledge and resolve, one Lambda per page task; priced at the prices cited under cost.prices. Idle: idle_usd_month is the pay-per-use part with no traffic (what the $0.00 target refers to: nothing billed by the hour, no NAT, no VPC); standing_usd_month is what the resources the stack creates bill per month regardless of traffic (CloudWatch alarms, Secrets Manager secret, KMS keys, the dashboard if the dashboard prop asks for it), counted from the synthesized template (cdk synth of the default config with default props, so no dashboard; bundling skipped) and priced at cost.prices.monthly, free tiers not deducted.',
  },
  storm: {
    ...storm,
    method: `autocannon in a separate process, ${STORM_DELIVERIES} EventBridge deliveries of ${STORM_ALARMS} distinct CloudWatch alarms (SEV1) in a fixed shuffled order over 50 connections through POST /_local/events, half new event ids (the alarm again), half retries of an id already sent; incidents counted from the store, executions from the local Step Functions; seconds = wall time of the deliveries, from the load generator's first request to its last answer.`,
  },
  list: {
    ...list,
    method: `${LIST_INCIDENTS} open incidents written through the store, then 100 sequential GETs of each endpoint over HTTP (p50/p99), and a walk through every page of GET /v1/incidents?status=open&limit=100.`,
  },
};

mkdirSync(RESULTS_DIR, { recursive: true });
writeFileSync(`${RESULTS_DIR}/latest.json`, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(`${RESULTS_DIR}/latest.md`, toMarkdown(results));
console.log(`bench: wrote ${RESULTS_DIR}/latest.json and ${RESULTS_DIR}/latest.md in ${results.bench_seconds} s`);
process.exit(0);
