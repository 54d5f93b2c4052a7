/**
 * What each function loads at module init, bundled as deployed (split into chunks): only the
 * DynamoDB client of the SDK (every route reads the table). Every other client, and the CommonJS
 * SNS signature validator, is in a chunk loaded by the first call that needs it (aws-ports.ts);
 * zod and the schemas built with it by the first request that validates with them (the handlers).
 * The intake function's init is its router: each route's handler by the first request for it.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { initClosure, packageOf } from '../../bench/init-closure.js';
import { functionBundleOptions, HANDLER_FILE } from '../../lambdas/bundling-options.js';
import { DEFAULT_CONFIG_FILE, loadConfigFile } from '../../lib/config-file.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONFIG = loadConfigFile(join(REPO_ROOT, DEFAULT_CONFIG_FILE)).config;
const ENTRIES = readdirSync(join(REPO_ROOT, 'lambdas/entry')).filter((file) => file.endsWith('.ts'));

/**
 * Loaded on first use only: the SDK clients other than DynamoDB's, the signature validator, and
 * zod with the schemas built with it.
 */
const deferred = (pkg: string) =>
  (pkg.startsWith('@aws-sdk/client-') && pkg !== '@aws-sdk/client-dynamodb') ||
  pkg === 'sns-payload-validator' ||
  pkg === 'zod';

interface EntryPackages {
  /** Packages with code in the static-import closure of the entry's index.mjs. */
  atInit: string[];
  /** Packages with code anywhere in the entry's output, chunks loaded by `import()` included. */
  bundled: string[];
  /** Klaxon's own source files, in the init closure and anywhere in the output. */
  ownAtInit: string[];
  ownBundled: string[];
}

async function packagesOf(entry: string): Promise<EntryPackages> {
  const outdir = join('node_modules/.cache/init-closure', entry);
  const { metafile } = await build({
    ...functionBundleOptions(CONFIG, join('lambdas/entry', entry), outdir),
    absWorkingDir: REPO_ROOT,
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  const inputs = Object.values(metafile.outputs).flatMap((output) => Object.keys(output.inputs));
  const init = initClosure(metafile, `${outdir}/${HANDLER_FILE}`);
  const own = (files: string[]) => [...new Set(files.filter((input) => packageOf(input) === 'klaxon'))].sort();
  return {
    atInit: Object.keys(init.byPackage).sort(),
    bundled: [...new Set(inputs.map((input) => packageOf(input)))].sort(),
    ownAtInit: own(init.inputs),
    ownBundled: own(inputs),
  };
}

describe('what a function loads at module init', () => {
  let packages: Record<string, EntryPackages>;
  beforeAll(async () => {
    packages = Object.fromEntries(await Promise.all(ENTRIES.map(async (entry) => [entry, await packagesOf(entry)])));
  });

  it('is no SDK client but DynamoDB, not the SNS signature validator and not zod, in any function', () => {
    const loadedAtInit = Object.fromEntries(ENTRIES.map((entry) => [entry, packages[entry]?.atInit.filter(deferred)]));
    expect(loadedAtInit).toEqual(Object.fromEntries(ENTRIES.map((entry) => [entry, []])));
  });

  it('leaves those packages in the bundles, for the first call that needs them', () => {
    const bundled = new Set(ENTRIES.flatMap((entry) => packages[entry]?.bundled ?? []).filter(deferred));
    expect([...bundled].sort()).toEqual([
      '@aws-sdk/client-eventbridge',
      '@aws-sdk/client-lambda',
      '@aws-sdk/client-pinpoint-sms-voice-v2',
      '@aws-sdk/client-scheduler',
      '@aws-sdk/client-secrets-manager',
      '@aws-sdk/client-sfn',
      '@aws-sdk/client-sns',
      'sns-payload-validator',
      'zod',
    ]);
    // And the DynamoDB client, which every function on the table loads at init.
    expect(packages['intake.ts']?.atInit).toContain('@aws-sdk/client-dynamodb');
  });

  it('leaves luxon (the rotations) to the first request or event whose code needs it', () => {
    const luxonAtInit = (entry: string) => packages[entry]?.atInit.includes('luxon');
    expect({
      api: luxonAtInit('incidents-api.ts'),
      console: luxonAtInit('web-console.ts'),
      page: luxonAtInit('page-responders.ts'),
    }).toEqual({ api: false, console: false, page: false });
  });

  it("is only the intake function's router: each route and kind of work is loaded by its first request", () => {
    // The routes' and the work's handlers, and the core that receives alerts with them.
    const byRequest =
      /^lambdas\/(handlers\/(receive-.*|heartbeats|service-maintenance|scheduled-work)|core\/(intake|alertmanager|alert-inbox|alert-sources|heartbeats)|adapters\/sns-signature)\.ts$/;
    const intake = packages['intake.ts'];
    expect(intake?.ownAtInit.filter((file) => byRequest.test(file))).toEqual([]);
    expect(intake?.ownBundled.filter((file) => byRequest.test(file))).toEqual([
      'lambdas/adapters/sns-signature.ts',
      'lambdas/core/alert-inbox.ts',
      'lambdas/core/alert-sources.ts',
      'lambdas/core/alertmanager.ts',
      'lambdas/core/heartbeats.ts',
      'lambdas/core/intake.ts',
      'lambdas/handlers/heartbeats.ts',
      'lambdas/handlers/receive-alarm-event.ts',
      'lambdas/handlers/receive-alert-inbox.ts',
      'lambdas/handlers/receive-alertmanager.ts',
      'lambdas/handlers/receive-change-events.ts',
      'lambdas/handlers/receive-events-v2.ts',
      'lambdas/handlers/receive-sns-alarm.ts',
      'lambdas/handlers/scheduled-work.ts',
      'lambdas/handlers/service-maintenance.ts',
    ]);
  });
});
