/**
 * The CDK app. Reads the Klaxon config from, in order: the CDK context `config`
 * (`cdk synth -c config=path`), $KLAXON_CONFIG_FILE, ./klaxon.deploy.json (written by
 * `npx klaxon init`). Never ./klaxon.config.json: that is the local config, whose integration key
 * is public, and the Klaxon construct refuses it anyway. An invalid config stops synth with the
 * problem and the field, and nothing else.
 *
 * Klaxon's own alarms go to the people in the `healthEmails` and `healthPhones` contexts
 * (comma-separated: `npx cdk deploy -c healthEmails=platform@example.com`). `-c dashboard=true`
 * adds the CloudWatch dashboard (off by default: $3 a month), `-c sourceMaps=true` stack traces
 * through the source maps (off by default: about 20 ms of every cold start). `-c originationIdentityArn=<ARN>`
 * names the End User Messaging phone number that places calls and sends SMS pages.
 * `-c slackChannels=T0123ABCD:C0456EFGH` and `-c teamsChannels=<teamId>:<tenantId>:<channelId>` (comma-separated) add chat channels
 * (docs/deploy.md, Chat).
 *
 * Synth works offline: run it as `npm run synth`, which sets CDK_DISABLE_VERSION_CHECK=1 (the
 * CLI would otherwise look up its latest version online); cdk.json turns off notices, CLI
 * telemetry (`cli-telemetry: false`) and version reporting.
 */

import { existsSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../lambdas/core/config.js';
import { ChatChannelsError } from '../lib/chat.js';
import { DEFAULT_CONFIG_FILE, DEPLOY_CONFIG_FILE, loadConfigFile } from '../lib/config-file.js';
import { KlaxonPropsError } from '../lib/klaxon.js';
import { KlaxonStack } from '../lib/klaxon-stack.js';

const app = new App();
// `||`, not `??`: an empty value (`KLAXON_CONFIG_FILE= npm run synth`) means "not set".
const configFile: string = app.node.tryGetContext('config') || process.env.KLAXON_CONFIG_FILE || DEPLOY_CONFIG_FILE;
const stackName: string = app.node.tryGetContext('stackName') ?? 'Klaxon';
const listContext = (key: string): string[] =>
  String(app.node.tryGetContext(key) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);

/** `-c dashboard=true` on the command line is the string "true"; in cdk.json it may be a boolean. */
function booleanContext(key: 'dashboard' | 'sourceMaps'): boolean {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new ConfigError(`The ${key} context must be true or false (-c ${key}=true), not ${JSON.stringify(value)}`);
}

/** `a:b` per channel, colon-separated ids (none of them contains a colon; Teams' is URL-encoded). */
function chatContext(key: string, fields: number): string[][] {
  return listContext(key).map((item) => {
    const ids = item.split(':');
    if (ids.length !== fields || ids.some((id) => id === '')) {
      throw new ChatChannelsError(
        `-c ${key}: "${item}" must be ${fields === 2 ? 'workspaceId:channelId' : 'teamId:tenantId:channelId'}`,
      );
    }
    return ids;
  });
}

try {
  if (configFile === DEPLOY_CONFIG_FILE && !existsSync(configFile)) {
    throw new ConfigError(
      `No ${DEPLOY_CONFIG_FILE} to deploy. Write one with \`npx klaxon init\` (it copies the roster of ${DEFAULT_CONFIG_FILE}, which \`npm start\` uses, with fresh integration keys shown once), edit its responders, then deploy; or name another config with -c config=path.`,
    );
  }
  const { raw } = loadConfigFile(configFile);
  new KlaxonStack(app, stackName, {
    config: raw,
    healthSubscribers: { emails: listContext('healthEmails'), phones: listContext('healthPhones') },
    dashboard: booleanContext('dashboard'),
    sourceMaps: booleanContext('sourceMaps'),
    // `||`: an empty value means "not set", as for the config.
    originationIdentityArn: app.node.tryGetContext('originationIdentityArn') || undefined,
    chat: {
      slack: chatContext('slackChannels', 2).map(([workspaceId = '', channelId = '']) => ({ workspaceId, channelId })),
      teams: chatContext('teamsChannels', 3).map(([teamId = '', tenantId = '', channelId = '']) => ({
        teamId,
        tenantId,
        channelId,
      })),
    },
    // `-c twoWaySmsTopicArn=arn:aws:sns:…`: the topic two-way SMS on the origination number publishes to.
    twoWaySmsTopicArn: app.node.tryGetContext('twoWaySmsTopicArn') || undefined,
  });
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof KlaxonPropsError || error instanceof ChatChannelsError)) {
    throw error;
  }
  // A person fixes a config from the message alone; a stack trace would only bury it.
  console.error(error.message);
  process.exit(1);
}
