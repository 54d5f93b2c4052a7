/**
 * `npm run bench:cost`: only the cost figures of `npm run bench`, printed, nothing written: the
 * standing charges of the stack with default props, then state transitions and price per
 * incident, per tier and scenario (about the time the longest ladder takes time-scaled).
 * `-- --standing` prints the standing charges alone (one synth, a few seconds); `-- --json` prints
 * every cost figure instead of the table.
 */
import { newIntegrationKey } from '../lambdas/core/integration-keys.js';
import { DEFAULT_CONFIG_FILE, loadConfigFile as loadStackConfig } from '../lib/config-file.js';
import { loadConfigFile } from '../local/runtime.js';
import { costModel, SCENARIOS, standingCharges } from './cost.js';

// The stack as deployed, as `npm run bench` builds it: the local roster with a fresh key.
const deployed = { ...loadStackConfig(DEFAULT_CONFIG_FILE).raw, integrationKeys: [newIntegrationKey('bench').entry] };

if (process.argv.includes('--standing')) {
  const standing = standingCharges(deployed);
  console.log(JSON.stringify({ standing_usd_month: standing.usd_month, standing_charges: standing.charges }, null, 2));
} else {
  const cost = await costModel(loadConfigFile('klaxon.config.json'), deployed);
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(cost, null, 2));
  } else {
    console.log(`standing: ${cost.standing_usd_month} USD a month with default props`);
    console.log(`| tier | ${SCENARIOS.map((scenario) => `${scenario}: transitions, USD`).join(' | ')} |`);
    console.log(`|---|${SCENARIOS.map(() => '---').join('|')}|`);
    for (const [tier, scenarios] of Object.entries(cost.usage)) {
      const cells = SCENARIOS.map(
        (scenario) => `${scenarios[scenario]?.state_transitions}, ${cost.per_incident_usd[tier]?.[scenario]}`,
      );
      console.log(`| ${tier} | ${cells.join(' | ')} |`);
    }
  }
}
