/**
 * Cold start: every Lambda entry bundled as deployed (lambdas/bundling-options.ts: the SDK inside,
 * ESM, tree-shaken, minified, split into the handler file and the chunks it imports), its size,
 * what its module init loads, and its module-init time: the median, over fresh `node` processes, of
 * the time to import the handler file (which loads the code every request needs, builds the clients
 * every route uses and parses the compiled config), beside `sdk_floor`, a handler that only builds a
 * DynamoDB document client, bundled the same way and measured in the same run, interleaved.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { ENV } from '../lambdas/adapters/environment.js';
import { functionBundleOptions, HANDLER_FILE } from '../lambdas/bundling-options.js';
import type { KlaxonConfig } from '../lambdas/core/config.js';
import { type InitClosure, initClosure } from './init-closure.js';
import { median, round } from './stats.js';

export const COLD_START_PROCESSES = 20;

/** The reference bundle's name in `cold_start`: a DynamoDB document client alone. */
export const SDK_FLOOR = 'sdk_floor';

/** What each function's module init may cost, as a multiple of `sdk_floor`'s in the same run. */
export const COLD_START_TARGET_RATIO = 1.25;

/** Each function's bundle, minified with the SDK inside. */
export const BUNDLE_CEILING_BYTES = 1024 * 1024;

/**
 * Every variable the stack sets on a function, keyed by ENV so a new one cannot be left out here;
 * the values only need to be well formed.
 */
export const LAMBDA_ENV: Record<(typeof ENV)[keyof typeof ENV], string> & {
  AWS_REGION: string;
  AWS_LAMBDA_FUNCTION_NAME: string;
  POWERTOOLS_SERVICE_NAME: string;
} = {
  [ENV.tableName]: 'klaxon-bench',
  [ENV.stateMachines]: JSON.stringify({
    SEV1: 'arn:aws:states:us-east-1:123456789012:stateMachine:klaxon-escalation-sev1',
  }),
  [ENV.postmortemStateMachine]: 'arn:aws:states:us-east-1:123456789012:stateMachine:klaxon-postmortem-reminder',
  [ENV.responderTopicArnPrefix]: 'arn:aws:sns:us-east-1:123456789012:klaxon-responder-',
  [ENV.eventBusName]: 'klaxon-bench',
  [ENV.publicBaseUrl]: 'https://klaxon.example.com',
  [ENV.ackSigningSecretArn]: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:klaxon-ack-key-AbCdEf',
  [ENV.chatTopicArn]: 'arn:aws:sns:us-east-1:123456789012:klaxon-chat',
  [ENV.allowedSnsTopicArns]: 'arn:aws:sns:us-east-1:123456789012:klaxon-alarms',
  [ENV.scheduleGroup]: 'klaxon-bench',
  [ENV.schedulerRoleArn]: 'arn:aws:iam::123456789012:role/klaxon-bench-scheduler',
  [ENV.scheduleTargets]: JSON.stringify({ intake: 'self', page: 'arn:aws:lambda:us-east-1:123456789012:function:p' }),
  [ENV.functionArnPrefix]: 'arn:aws:lambda:us-east-1:123456789012:function:',
  [ENV.originationIdentity]: 'arn:aws:sms-voice:us-east-1:123456789012:phone-number/phone-0123456789abcdef',
  [ENV.smsConfigurationSet]: 'klaxon-pages',
  [ENV.signInDomain]: 'https://klaxon-bench.auth.us-east-1.amazoncognito.com',
  [ENV.signInClientId]: '1example23456789abcdefghij',
  [ENV.signInUserPoolId]: 'us-east-1_EXAMPLE12',
  [ENV.smsReplies]: 'on',
  // Set by KlaxonFunction on every function (lib/klaxon-function.ts), source maps being off by default.
  POWERTOOLS_SERVICE_NAME: 'klaxon-bench',
  // Set by Lambda itself: the intake function invokes itself by name for its alert inbox.
  AWS_REGION: 'us-east-1',
  AWS_LAMBDA_FUNCTION_NAME: 'klaxon-bench',
};

// Imports the bundle and prints how long that took, in a process that has loaded nothing else.
const IMPORT_TIMER =
  'const t0 = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t0));';

export interface ColdStartResult {
  /** Per function, the bytes of every file of its bundle (handler file and chunks). */
  bundles: Record<string, number>;
  /** Per function, the bytes of the files its module init loads (see init-closure.ts). */
  init_bytes: Record<string, number>;
  cold_start: Record<string, number>;
  /** Per function, the packages that weigh most in what its module init loads: where to cut. */
  bundle_heaviest_packages: Record<string, Record<string, number>>;
}

export interface FunctionBundle {
  name: string;
  /** The handler file Lambda loads. */
  handlerFile: string;
  bytes: number;
  init: InitClosure;
  metafile: Metafile;
}

/** The Lambda entries, and the sdk_floor handler written into `outDir`. */
function benchEntries(outDir: string): { name: string; path: string }[] {
  const sdkFloorEntry = join(outDir, 'sdk-floor-handler.ts');
  writeFileSync(
    sdkFloorEntry,
    [
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
      "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
      'const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));',
      'export const handler = async () => doc.config.region;',
      '',
    ].join('\n'),
  );
  const entries = readdirSync('lambdas/entry')
    .filter((file) => file.endsWith('.ts'))
    .map((file) => ({ name: basename(file, '.ts'), path: join('lambdas/entry', file) }));
  entries.push({ name: SDK_FLOOR, path: sdkFloorEntry });
  return entries;
}

/**
 * Every function bundled as deployed (functionBundleOptions), and sdk_floor bundled the same way,
 * each into a folder of its own under `outDir` (inside the project, so that any import left out of
 * a bundle resolves as it would beside it).
 */
export async function buildFunctionBundles(config: KlaxonConfig, outDir: string): Promise<FunctionBundle[]> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  return Promise.all(
    benchEntries(outDir).map(async (entry) => {
      const dir = join(outDir, entry.name);
      const { metafile } = await build({
        ...functionBundleOptions(config, entry.path, dir),
        logLevel: 'error',
        metafile: true,
      });
      const handlerOutput = Object.keys(metafile.outputs).find((output) => basename(output) === HANDLER_FILE);
      if (!handlerOutput) throw new Error(`esbuild wrote no ${HANDLER_FILE} for ${entry.name}`);
      const bytes = Object.values(metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
      return {
        name: entry.name,
        handlerFile: join(dir, HANDLER_FILE),
        bytes,
        init: initClosure(metafile, handlerOutput),
        metafile,
      };
    }),
  );
}

export async function measureColdStart(config: KlaxonConfig): Promise<ColdStartResult> {
  const outDir = resolve('node_modules/.cache/klaxon-bench');
  const built = await buildFunctionBundles(config, outDir);
  const entries = built.map(({ name }) => ({ name }));
  const files = Object.fromEntries(built.map((bundle) => [bundle.name, bundle.handlerFile]));
  const functions = built.filter((bundle) => bundle.name !== SDK_FLOOR);
  const bundles = Object.fromEntries(functions.map((bundle) => [bundle.name, bundle.bytes]));
  const init_bytes = Object.fromEntries(built.map((bundle) => [bundle.name, bundle.init.bytes]));
  const bundle_heaviest_packages = Object.fromEntries(
    functions.map((bundle) => [bundle.name, Object.fromEntries(Object.entries(bundle.init.byPackage).slice(0, 5))]),
  );

  const samples: Record<string, number[]> = Object.fromEntries(entries.map((entry) => [entry.name, []]));
  // Interleaved, so that a slow moment of the machine does not land on one bundle only.
  for (let round = 0; round < COLD_START_PROCESSES; round++) {
    for (const entry of entries) {
      const output = execFileSync(
        process.execPath,
        ['--input-type=module', '-e', IMPORT_TIMER, pathToFileURL(files[entry.name] as string).href],
        { env: { PATH: process.env.PATH ?? '', ...LAMBDA_ENV }, encoding: 'utf8' },
      );
      samples[entry.name]?.push(Number(output));
    }
  }
  const cold_start = Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, round(median(values))]));
  rmSync(outDir, { recursive: true, force: true });
  return { bundles, init_bytes, cold_start, bundle_heaviest_packages };
}
