/** An invalid config must stop synth with the field and the problem, and only that. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { ConfigError, type KlaxonConfigInput } from '../../lambdas/core/config.js';
import { loadConfigFile } from '../../lib/config-file.js';
import { Klaxon } from '../../lib/klaxon.js';
import { REPO_ROOT } from '../../lib/klaxon-function.js';
import { defaultConfig } from './klaxon-template.js';

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

/** Runs bin/klaxon.ts the way `cdk synth` does (the CLI passes context in CDK_CONTEXT_JSON). */
function runApp(env: Record<string, string>) {
  const outdir = mkdtempSync(join(workDir, 'out-'));
  const { KLAXON_CONFIG_FILE: _ignored, CDK_CONTEXT_JSON: _alsoIgnored, ...inherited } = process.env;
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'bin/klaxon.ts'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...inherited, CDK_OUTDIR: outdir, ...env },
  });
  return { ...result, outdir };
}

describe('the CDK app and its config file', () => {
  it('synthesizes the stack from klaxon.config.json', () => {
    const result = runApp({ CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [] }) });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const template = JSON.parse(readFileSync(join(result.outdir, 'Klaxon.template.json'), 'utf8'));
    expect(Object.keys(template.Resources).length).toBeGreaterThan(0);
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

  it('is validated by the Klaxon construct too, for apps that embed it', () => {
    const build = () => {
      const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Embedding');
      return new Klaxon(stack, 'Klaxon', { config: badPhone() });
    };
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/responders\[1\]\.phone/);
  });
});
