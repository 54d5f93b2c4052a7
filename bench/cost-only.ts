/**
 * `npm run bench:cost`: only the cost model (the `cost` figures of `npm run bench`): state
 * transitions and price per incident, per tier and scenario, in about the time the longest ladder
 * takes time-scaled. Nothing is written. `--json` prints every cost figure instead.
 */
import { newIntegrationKey } from '../lambdas/core/integration-keys.js';
import { DEFAULT_CONFIG_FILE, loadConfigFile as loadStackConfig } from '../lib/config-file.js';
import { loadConfigFile } from '../local/runtime.js';
import { costModel, SCENARIOS } from './cost.js';

const config = loadConfigFile('klaxon.config.json');
// The stack as deployed, as `npm run bench` builds it: the local roster with a fresh key.
const deployed = { ...loadStackConfig(DEFAULT_CONFIG_FILE).raw, integrationKeys: [newIntegrationKey('bench').entry] };
const cost = await costModel(config, deployed);
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(cost, null, 2));
} else {
  console.log(`| tier | ${SCENARIOS.map((scenario) => `${scenario}: transitions, USD`).join(' | ')} |`);
  console.log(`|---|${SCENARIOS.map(() => '---').join('|')}|`);
  for (const [tier, scenarios] of Object.entries(cost.usage)) {
    const cells = SCENARIOS.map(
      (scenario) => `${scenarios[scenario]?.state_transitions}, ${cost.per_incident_usd[tier]?.[scenario]}`,
    );
    console.log(`| ${tier} | ${cells.join(' | ')} |`);
  }
}
