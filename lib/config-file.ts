/** Reads and validates a Klaxon config file for the CDK app. */
import { readFileSync } from 'node:fs';
import { ConfigError, type KlaxonConfig, type KlaxonConfigInput, parseConfig } from '../lambdas/core/config.js';

/** The local config `npm start` uses: its integration key is public, so it is never deployed. */
export const DEFAULT_CONFIG_FILE = 'klaxon.config.json';
/** The config `cdk deploy` uses unless told otherwise; `npx klaxon init` writes it with fresh keys. */
export const DEPLOY_CONFIG_FILE = 'klaxon.deploy.json';

export interface LoadedConfig {
  /** The file's JSON as written: what the functions get compiled in. */
  raw: KlaxonConfigInput;
  /** The validated config with the default severity policy filled in. */
  config: KlaxonConfig;
}

/** Throws ConfigError naming the file and, for a bad value, the field. */
export function loadConfigFile(path: string): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`Cannot read the Klaxon config file ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`The Klaxon config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  const config = parseConfig(json, `config file ${path}`);
  return { raw: json as KlaxonConfigInput, config };
}
