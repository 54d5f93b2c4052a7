/**
 * What each function deploys: every entry in lambdas/entry synthesized through KlaxonFunction with
 * bundling on (the other infrastructure tests skip it), then each asset loaded as Lambda loads it,
 * from a folder with no node_modules: the AWS SDK must be inside the bundle, not imported from the
 * runtime's copy.
 */
import { execFileSync } from 'node:child_process';
import type { Dirent } from 'node:fs';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { BUNDLE_CEILING_BYTES, LAMBDA_ENV } from '../../bench/cold-start.js';
import { HANDLER_FILE } from '../../lambdas/bundling-options.js';
import { parseConfig } from '../../lambdas/core/config.js';
import { KlaxonFunction, REPO_ROOT } from '../../lib/klaxon-function.js';
import { localConfig } from './klaxon-template.js';

const ENTRIES = readdirSync(join(REPO_ROOT, 'lambdas/entry')).filter((file) => file.endsWith('.ts'));

interface DeployedBundle {
  /** Every JavaScript file of the asset (the handler file and its chunks), one after the other. */
  code: string;
  /** The asset's files, relative to its root. */
  files: string[];
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
    const assetDir = join(outdir, resource.Metadata['aws:asset:path'] as string);
    const files = (readdirSync(assetDir, { recursive: true, withFileTypes: true }) as Dirent[])
      .filter((file) => file.isFile())
      .map((file) => relative(assetDir, join(file.parentPath, file.name)))
      .sort();
    // Out of the repository, where no node_modules is on the resolution path: an @aws-sdk import
    // left out of the bundle fails to load here as it would on a runtime without that package.
    const lambdaDir = mkdtempSync(join(tmpdir(), 'klaxon-task-'));
    cpSync(assetDir, lambdaDir, { recursive: true });
    bundles[resource.Properties.Description] = {
      code: files
        .filter((file) => file.endsWith('.mjs'))
        .map((file) => readFileSync(join(assetDir, file), 'utf8'))
        .join('\n'),
      files,
      loaded: loadHandler(
        join(lambdaDir, HANDLER_FILE),
        files.filter((file) => file.endsWith('.mjs') && file !== HANDLER_FILE).map((file) => join(lambdaDir, file)),
      ),
    };
    rmSync(lambdaDir, { recursive: true, force: true });
  }
  rmSync(outdir, { recursive: true, force: true });
  return bundles;
}

/**
 * Imports the handler file, then every chunk (each loads on some request's first use: one that
 * imported a package left out of the asset would fail only then), and prints the handler's type.
 */
function loadHandler(file: string, chunks: string[]): string {
  try {
    return execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        'const m = await import(process.argv[1]); for (const chunk of process.argv.slice(2)) await import(chunk); process.stdout.write(typeof m.handler);',
        file,
        ...chunks,
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

  it.each(ENTRIES)('%s loads its handler and every chunk with no AWS SDK beside it', (entry) => {
    expect(bundles[entry]?.loaded).toBe('function');
  });

  it.each(ENTRIES)('%s is ESM throughout: index.mjs and its chunks, each with its source map', (entry) => {
    const files = bundles[entry]?.files ?? [];
    expect(files).toContain(HANDLER_FILE);
    const code = files.filter((file) => !file.endsWith('.map'));
    expect(code.every((file) => file.endsWith('.mjs'))).toBe(true);
    expect(files.filter((file) => file.endsWith('.map')).sort()).toEqual(code.map((file) => `${file}.map`).sort());
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
