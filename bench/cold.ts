/**
 * `npm run bench:cold`: only the cold-start part of the bench (bench/cold-start.ts), printed as the
 * rows latest.md shows, with the machine's load while it ran. Writes nothing: `npm run bench` does.
 */
import { loadavg } from 'node:os';
import { loadConfigFile } from '../local/runtime.js';
import { COLD_START_PROCESSES, measureColdStart } from './cold-start.js';
import { coldStartRows, FIGURE_HEADER, table } from './report.js';

const loadBefore = loadavg()[0] ?? 0;
const { bundles, init_bytes, cold_start } = await measureColdStart(loadConfigFile('klaxon.config.json'));
const loadAfter = loadavg()[0] ?? 0;
console.log(
  `Median of ${COLD_START_PROCESSES} fresh node processes per bundle; 1-minute load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after.\n`,
);
console.log(table(FIGURE_HEADER, coldStartRows({ bundles, init_bytes, cold_start })));
