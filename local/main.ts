/**
 * `npm start`: Klaxon on this machine, no AWS account needed.
 *   --port N         HTTP port (default $PORT or 3000)
 *   --time-scale N   run the escalation ladder N times faster (drills, demos)
 *   --data DIR       keep incidents on disk in DIR (default: in memory)
 *   --config FILE    the Klaxon config (default klaxon.config.json)
 *   --quiet          print only warnings and errors
 *
 * The script runs node with --disable-warning=TimeoutNegativeWarning: on a Wait whose timestamp
 * has already passed (a ladder's first step is due at once), aws-local-stepfunctions sleeps for
 * a negative time, which Node runs as 1 ms (as Step Functions does: no wait) but warns about.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../lambdas/core/config.js';
import { LOCAL_ROUTING_KEY } from '../lambdas/core/integration-keys.js';
import { DEFAULT_CONFIG_FILE, startLocalRuntime } from './runtime.js';

function positiveNumber(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`${flag} needs a positive number, got "${text}"`);
    process.exit(2);
  }
  return value;
}

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    'time-scale': { type: 'string', default: '1' },
    data: { type: 'string' },
    config: { type: 'string', default: DEFAULT_CONFIG_FILE },
    quiet: { type: 'boolean', default: false },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`--port needs a port number, got "${values.port}"`);
  process.exit(2);
}
const timeScale = positiveNumber(values['time-scale'], '--time-scale');

try {
  const runtime = await startLocalRuntime({
    port,
    timeScale,
    dataDir: values.data,
    config: values.config,
    // The whole loop on one machine: pages suggest the reply POST /_local/sms/inbound delivers.
    smsReplies: true,
    verbose: !values.quiet,
  });
  const example = JSON.stringify({
    routing_key: LOCAL_ROUTING_KEY,
    event_action: 'trigger',
    dedup_key: 'checkout/error-rate',
    payload: { summary: 'Checkout error rate above 5%', source: 'checkout.prod', severity: 'critical' },
  });
  console.log(`
Klaxon is running at ${runtime.url}  (time scale ${timeScale}x, data ${values.data ?? 'in memory'})

Fire a test alarm (opens a SEV1 incident and pages primary-oncall):
  curl -sS -X POST ${runtime.url}/v1/alerts/events -H 'content-type: application/json' -d '${example}'

Then look at what was sent, and at the incident:
  curl -sS ${runtime.url}/_local/outbox
  curl -sS '${runtime.url}/v1/incidents?status=open'

The console: ${runtime.url}/auth/sign-in  (pick a responder; no password on this machine)

Press Ctrl+C to stop.`);

  const shutdown = async () => {
    console.log('\n[klaxon] stopping');
    await runtime.stop();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(`Port ${port} is in use; start with --port N or PORT=N`);
    process.exit(2);
  }
  throw error;
}
