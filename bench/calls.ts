/**
 * `npm run bench:calls`: only the AWS calls intake makes before it answers (the `intake.calls`
 * figures of `npm run bench`), printed as a table in a few seconds. Nothing is written.
 * `--json` prints the figures with each call's trace instead.
 */
import { AwsCallRecorder } from '../local/aws-calls.js';
import { loadConfigFile, startLocalRuntime } from '../local/runtime.js';
import { callsTable, intakeCalls } from './intake-calls.js';

const recorder = new AwsCallRecorder();
const runtime = await startLocalRuntime({
  port: 0,
  config: loadConfigFile('klaxon.config.json'),
  verbose: false,
  awsCalls: recorder,
});
try {
  const calls = await intakeCalls(runtime, recorder);
  console.log(process.argv.includes('--json') ? JSON.stringify(calls, null, 2) : callsTable(calls));
} finally {
  await runtime.stop();
}
