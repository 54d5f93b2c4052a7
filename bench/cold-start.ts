/**
 * Cold start: every Lambda entry bundled as deployed (lambdas/bundling-options.ts: the SDK inside,
 * ESM, tree-shaken, minified), its size, and its module-init time: the median, over fresh `node`
 * processes, of the time to import the bundle (which loads the SDK code it uses, builds the clients
 * every route needs and parses the compiled config), beside `sdk_floor`, a handler that only builds
 * a DynamoDB document client, bundled the same way and measured in the same run, interleaved.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { ENV } from '../lambdas/adapters/environment.js';
import { esbuildOptions } from '../lambdas/bundling-options.js';
import type { KlaxonConfig } from '../lambdas/core/config.js';
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
  // Set by Lambda itself: the intake function invokes itself by name for its alert inbox.
  AWS_REGION: 'us-east-1',
  AWS_LAMBDA_FUNCTION_NAME: 'klaxon-bench',
};

// Imports the bundle and prints how long that took, in a process that has loaded nothing else.
const IMPORT_TIMER =
  'const t0 = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t0));';

export interface ColdStartResult {
  bundles: Record<string, number>;
  cold_start: Record<string, number>;
  /** Per bundle, the packages that weigh most in it (bytes of minified output): where to cut. */
  bundle_heaviest_packages: Record<string, Record<string, number>>;
}

function packageOf(inputPath: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(inputPath);
  return match?.[1] ?? 'klaxon';
}

export async function measureColdStart(config: KlaxonConfig): Promise<ColdStartResult> {
  // Inside the project, so that any import left external resolves as it would beside the bundle.
  const outDir = resolve('node_modules/.cache/klaxon-bench');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  // The least any Klaxon function builds at init: a DynamoDB client and its document client.
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

  const bundles: Record<string, number> = {};
  const files: Record<string, string> = {};
  const bundle_heaviest_packages: Record<string, Record<string, number>> = {};
  for (const entry of entries) {
    const outfile = join(outDir, `${entry.name}.mjs`);
    const { metafile } = await build({
      ...esbuildOptions(config),
      entryPoints: [entry.path],
      outfile,
      logLevel: 'error',
      metafile: true,
    });
    files[entry.name] = outfile;
    if (entry.name === SDK_FLOOR) continue;
    bundles[entry.name] = statSync(outfile).size;
    const byPackage = new Map<string, number>();
    for (const output of Object.values(metafile.outputs)) {
      for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
        byPackage.set(packageOf(input), (byPackage.get(packageOf(input)) ?? 0) + bytesInOutput);
      }
    }
    bundle_heaviest_packages[entry.name] = Object.fromEntries([...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 5));
  }

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
  return { bundles, cold_start, bundle_heaviest_packages };
}
