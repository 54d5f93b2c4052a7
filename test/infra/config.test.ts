/**
 * An invalid config must stop synth with the field and the problem, and only that; so must a
 * config that carries a key anyone can read.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { EXIT, runCli } from '../../cli/program.js';
import { ConfigError, type KlaxonConfigInput } from '../../lambdas/core/config.js';
import {
  FIXTURE_ROUTING_KEY,
  integrationKeyHash,
  LOCAL_ROUTING_KEY,
  PUBLIC_KEY_HASHES,
} from '../../lambdas/core/integration-keys.js';
import { loadConfigFile } from '../../lib/config-file.js';
import { Klaxon, KlaxonPropsError } from '../../lib/klaxon.js';
import { REPO_ROOT } from '../../lib/klaxon-function.js';
import { DEPLOY_KEY_ENTRY, defaultConfig, localConfig } from './klaxon-template.js';

const workDir = mkdtempSync(join(tmpdir(), 'klaxon-infra-'));
const badPhone = (): KlaxonConfigInput => {
  const config = defaultConfig();
  return { ...config, responders: config.responders.map((r, i) => (i === 1 ? { ...r, phone: '555-0102' } : r)) };
};
const writeConfig = (name: string, content: unknown) => {
  const path = join(workDir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
};

const NO_BUNDLING = JSON.stringify({ 'aws:cdk:bundling-stacks': [] });

/**
 * Runs bin/klaxon.ts the way `cdk synth` does (the CLI passes context in CDK_CONTEXT_JSON), in
 * `cwd` (default: the repository), where a config file named without a path is looked for.
 */
function runApp(env: Record<string, string>, cwd = REPO_ROOT) {
  const outdir = mkdtempSync(join(workDir, 'out-'));
  const { KLAXON_CONFIG_FILE: _ignored, CDK_CONTEXT_JSON: _alsoIgnored, ...inherited } = process.env;
  const tsx = pathToFileURL(join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  const result = spawnSync(process.execPath, ['--import', tsx, join(REPO_ROOT, 'bin', 'klaxon.ts')], {
    cwd,
    encoding: 'utf8',
    env: { ...inherited, CDK_OUTDIR: outdir, ...env },
  });
  return { ...result, outdir };
}

const synthesized = (result: ReturnType<typeof runApp>) =>
  JSON.parse(readFileSync(join(result.outdir, 'Klaxon.template.json'), 'utf8')) as { Resources: object };

describe('the CDK app and its config file', () => {
  it('synthesizes the stack from the config file $KLAXON_CONFIG_FILE names', () => {
    const result = runApp({
      KLAXON_CONFIG_FILE: writeConfig('deploy.json', defaultConfig()),
      CDK_CONTEXT_JSON: NO_BUNDLING,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const types = Object.values(synthesized(result).Resources).map((resource: { Type: string }) => resource.Type);
    expect(types).toContain('AWS::CloudWatch::Alarm');
    expect(types).not.toContain('AWS::CloudWatch::Dashboard');
  });

  it('adds the dashboard with `-c dashboard=true`, and refuses a value that is neither true nor false', () => {
    const config = writeConfig('deploy-dashboard.json', defaultConfig());
    // CloudFormation's schema validation ran in the first synth; here the point is the dashboard.
    const withDashboard = runApp({
      KLAXON_CONFIG_FILE: config,
      CDK_CONTEXT_JSON: JSON.stringify({ ...JSON.parse(NO_BUNDLING), dashboard: 'true' }),
      CDK_VALIDATION: 'false',
    });
    expect(withDashboard.stderr).toBe('');
    const dashboards = Object.values(synthesized(withDashboard).Resources).filter(
      (resource: { Type: string }) => resource.Type === 'AWS::CloudWatch::Dashboard',
    );
    expect(dashboards).toHaveLength(1);
    const misspelt = runApp({
      KLAXON_CONFIG_FILE: config,
      CDK_CONTEXT_JSON: JSON.stringify({ ...JSON.parse(NO_BUNDLING), dashboard: 'yes' }),
    });
    expect(misspelt.status).toBe(1);
    expect(misspelt.stderr).toBe('The dashboard context must be true or false (-c dashboard=true), not "yes"\n');
  });

  it('refuses to synthesize klaxon.config.json, whose key the README prints, and says how to make a real one', () => {
    const result = runApp({ KLAXON_CONFIG_FILE: join(REPO_ROOT, 'klaxon.config.json'), CDK_CONTEXT_JSON: NO_BUNDLING });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`integrationKeys[0] "local-dev (key: ${LOCAL_ROUTING_KEY})" is the local key`);
    expect(result.stderr).toContain('Make a real key with `npx klaxon keys new --name <sender>`');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('deploys klaxon.deploy.json when no config is named, and says how to write it when there is none', () => {
    const empty = mkdtempSync(join(workDir, 'no-deploy-config-'));
    const result = runApp({ CDK_CONTEXT_JSON: NO_BUNDLING }, empty);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('No klaxon.deploy.json to deploy. Write one with `npx klaxon init`');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('synthesizes the klaxon.deploy.json that `klaxon init` writes, whose fresh keys are shown once', async () => {
    const project = mkdtempSync(join(workDir, 'init-'));
    const printed: string[] = [];
    const io = { out: (text: string) => printed.push(text), err: () => undefined, env: {} };
    const init = [
      'init',
      '--from',
      join(REPO_ROOT, 'klaxon.config.json'),
      '--out',
      join(project, 'klaxon.deploy.json'),
      '--key',
      'prometheus',
      'cloudwatch',
    ];
    expect(await runCli(['--json', ...init], io)).toBe(EXIT.ok);
    const shown = JSON.parse(printed.join('')) as { keys: { name: string; key: string }[] };
    const written = JSON.parse(readFileSync(join(project, 'klaxon.deploy.json'), 'utf8')) as KlaxonConfigInput;
    expect(written.integrationKeys).toEqual(
      shown.keys.map(({ name, key }) => ({ name, sha256: createHash('sha256').update(key).digest('hex') })),
    );
    expect(shown.keys.map(({ name }) => name)).toEqual(['prometheus', 'cloudwatch']);
    expect(JSON.stringify(written)).not.toContain(shown.keys[0]?.key);
    // Never over a config someone already edited.
    expect(await runCli(init, io)).toBe(EXIT.usage);

    // CloudFormation's schema validation ran in the first synth, as `cdk synth` runs it; here
    // the point is which file is deployed.
    const result = runApp({ CDK_CONTEXT_JSON: NO_BUNDLING, CDK_VALIDATION: 'false' }, project);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(Object.keys(synthesized(result).Resources).length).toBeGreaterThan(0);
  });

  it('fails with the bad field and no stack trace when $KLAXON_CONFIG_FILE names an invalid config', () => {
    const path = writeConfig('bad-phone.json', badPhone());
    const result = runApp({ KLAXON_CONFIG_FILE: path });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`Invalid Klaxon config file ${path}`);
    expect(result.stderr).toContain('responders[1].phone: must be an E.164 phone number');
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it('prefers the `config` context to $KLAXON_CONFIG_FILE', () => {
    const path = writeConfig('bad-phone-context.json', badPhone());
    const result = runApp({
      KLAXON_CONFIG_FILE: join(REPO_ROOT, 'klaxon.config.json'),
      CDK_CONTEXT_JSON: JSON.stringify({ config: path }),
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`Invalid Klaxon config file ${path}`);
  });

  it('names a file that is missing or not JSON', () => {
    expect(() => loadConfigFile(join(workDir, 'absent.json'))).toThrow(
      /Cannot read the Klaxon config file .*absent\.json/,
    );
    expect(() => loadConfigFile(writeConfig('broken.json', '{"responders": ['))).toThrow(
      /Klaxon config file .*broken\.json is not valid JSON/,
    );
  });

  it.each([
    ['the local key', LOCAL_ROUTING_KEY],
    ['the test fixtures’ key', FIXTURE_ROUTING_KEY],
  ])('refuses %s in an embedding app too, saying how to make a real one', (_what, key) => {
    const build = () => {
      const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Embedding');
      const integrationKeys = [
        { ...DEPLOY_KEY_ENTRY },
        { name: 'copied', sha256: createHash('sha256').update(key).digest('hex') },
      ];
      return new Klaxon(stack, 'Klaxon', { config: { ...defaultConfig(), integrationKeys } });
    };
    expect(build).toThrow(KlaxonPropsError);
    expect(build).toThrow(`integrationKeys[1] "copied" is ${PUBLIC_KEY_HASHES.get(integrationKeyHash(key))}`);
    expect(build).toThrow('`npx klaxon keys new --name <sender>`');
  });

  it('builds with a key `klaxon keys new` made', async () => {
    const printed: string[] = [];
    const io = { out: (text: string) => printed.push(text), err: () => undefined, env: {} };
    expect(await runCli(['--json', 'keys', 'new', '--name', 'prometheus'], io)).toBe(EXIT.ok);
    const made = JSON.parse(printed.join('')) as { key: string; entry: { name: string; sha256: string } };
    expect(made.entry).toEqual({ name: 'prometheus', sha256: createHash('sha256').update(made.key).digest('hex') });
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Fresh');
    const klaxon = new Klaxon(stack, 'Klaxon', { config: { ...localConfig(), integrationKeys: [made.entry] } });
    expect(klaxon.intake.function).toBeDefined();
  });

  it('is validated by the Klaxon construct too, for apps that embed it', () => {
    const build = () => {
      const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Embedding');
      return new Klaxon(stack, 'Klaxon', { config: badPhone() });
    };
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/responders\[1\]\.phone/);
  });
});
