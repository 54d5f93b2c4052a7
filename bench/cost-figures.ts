/**
 * `npm run bench:cost`: only the cost figures of `npm run bench`, printed, nothing written: the
 * standing charges of the stack with default props, then the cost per incident of each tier and
 * scenario. `-- --standing` prints the standing charges alone (one synth, a few seconds).
 */
import { newIntegrationKey } from '../lambdas/core/integration-keys.js';
import { DEFAULT_CONFIG_FILE, loadConfigFile as loadStackConfig } from '../lib/config-file.js';
import { loadConfigFile } from '../local/runtime.js';
import { costModel, standingCharges } from './cost.js';

// The stack as deployed, as in bench/main.ts: the local roster with a fresh key.
const deployed = { ...loadStackConfig(DEFAULT_CONFIG_FILE).raw, integrationKeys: [newIntegrationKey('bench').entry] };

if (process.argv.includes('--standing')) {
  const standing = standingCharges(deployed);
  console.log(JSON.stringify({ standing_usd_month: standing.usd_month, standing_charges: standing.charges }, null, 2));
} else {
  const cost = await costModel(loadConfigFile('klaxon.config.json'), deployed);
  console.log(
    JSON.stringify(
      {
        standing_usd_month: cost.standing_usd_month,
        standing_charges: cost.standing_charges,
        per_incident_usd: cost.per_incident_usd,
      },
      null,
      2,
    ),
  );
}
