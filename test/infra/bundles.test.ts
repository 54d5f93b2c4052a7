/**
 * What each function deploys: every entry in lambdas/entry synthesized through KlaxonFunction with
 * bundling on (the other infrastructure tests skip it), then each asset loaded as Lambda loads it,
 * from a folder with no node_modules: the AWS SDK must be inside the bundle, not imported from the
 * runtime's copy.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { BUNDLE_CEILING_BYTES, LAMBDA_ENV } from '../../bench/cold-start.js';
import { parseConfig } from '../../lambdas/core/config.js';
import { KlaxonFunction, REPO_ROOT } from '../../lib/klaxon-function.js';
import { localConfig } from './klaxon-template.js';

const ENTRIES = readdirSync(join(REPO_ROOT, 'lambdas/entry')).filter((file) => file.endsWith('.ts'));

interface DeployedBundle {
  code: string;
  /** What importing the handler file in a fresh Node process, from a folder of its own, printed. */
  loaded: string;
}

/** Each entry's deployed handler file, keyed by entry file name. */
function synthesizedBundles(): Record<string, DeployedBundle> {
  const outdir = mkdtempSync(join(tmpdir(), 'klaxon-bundles-'));
  const app = new App({
    outdir,
    analyticsReporting: false,
    builtinCloudFormationValidation: false,
    // Names each function's asset directory in the template, so the test reads what synth wrote.
    context: { 'aws:cdk:enable-asset-metadata': true },
  });
  const stack = new Stack(app, 'Bundles');
  for (const entry of ENTRIES) {
    new KlaxonFunction(stack, basename(entry, '.ts'), {
      entry: join('lambdas/entry', entry),
      description: entry,
      bundledConfig: parseConfig(localConfig()),
    });
  }
  const assembly = app.synth();
  const template = assembly.getStackByName('Bundles').template as {
    Resources: Record<string, { Type: string; Properties: { Description: string }; Metadata: Record<string, string> }>;
  };
  const bundles: Record<string, DeployedBundle> = {};
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const handlerFile = join(outdir, resource.Metadata['aws:asset:path'] as string, 'index.mjs');
    // Out of the repository, where no node_modules is on the resolution path: an @aws-sdk import
    // left out of the bundle fails to load here as it would on a runtime without that package.
    const lambdaDir = mkdtempSync(join(tmpdir(), 'klaxon-task-'));
    copyFileSync(handlerFile, join(lambdaDir, 'index.mjs'));
    bundles[resource.Properties.Description] = {
      code: readFileSync(handlerFile, 'utf8'),
      loaded: loadHandler(join(lambdaDir, 'index.mjs')),
    };
    rmSync(lambdaDir, { recursive: true, force: true });
  }
  rmSync(outdir, { recursive: true, force: true });
  return bundles;
}

function loadHandler(file: string): string {
  try {
    return execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        'const m = await import(process.argv[1]); process.stdout.write(typeof m.handler);',
        file,
      ],
      { env: { PATH: process.env.PATH ?? '', ...LAMBDA_ENV }, encoding: 'utf8', stdio: 'pipe' },
    );
  } catch (error) {
    return String((error as { stderr?: string }).stderr ?? error);
  }
}

describe('the deployed bundles', () => {
  const bundles = synthesizedBundles();

  it('are one per entry', () => {
    expect(Object.keys(bundles).sort()).toEqual([...ENTRIES].sort());
  });

  it.each(ENTRIES)('%s loads its handler with no AWS SDK beside it', (entry) => {
    expect(bundles[entry]?.loaded).toBe('function');
  });

  // DynamoDB's JSON protocol target prefix, written by the client itself: every function reads the
  // table but the chat renderer (it only publishes what its event carries) and the sign-in authorizer.
  const READ_THE_TABLE = ENTRIES.filter((entry) => entry !== 'notify-chat.ts' && entry !== 'console-authorizer.ts');

  it.each(READ_THE_TABLE)('%s carries the DynamoDB client code it uses', (entry) => {
    expect(bundles[entry]?.code).toContain('DynamoDB_20120810');
  });

  it('keeps the JWT verifier in the sign-in authorizer, and the SDK out of it', () => {
    expect(bundles['console-authorizer.ts']?.code).toContain('issuer-cognito-idp');
    expect(bundles['console-authorizer.ts']?.code).not.toContain('DynamoDB_20120810');
    expect(bundles['web-console.ts']?.code).not.toContain('issuer-cognito-idp');
  });

  it.each(ENTRIES)('%s stays under 1 MB minified, SDK included', (entry) => {
    expect(Buffer.byteLength(bundles[entry]?.code ?? '')).toBeLessThanOrEqual(BUNDLE_CEILING_BYTES);
  });
});
