/**
 * `npm run bench:alertmanager -- [alerts]`:
 * how long the local runtime takes to answer one Alertmanager notification of `alerts` alerts
 * (default 5,000), built from the real notification in test/fixtures, as one group incident and
 * under a per-alert route, and how long the per-alert fan-out takes until every incident exists.
 * Prints JSON. Everything runs on loopback against a runtime started in this process.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../lambdas/core/config.js';
import { loadConfigFile, startLocalRuntime } from '../local/runtime.js';

const count = Number(process.argv[2] ?? 5000);
const KEY = 'klaxonlocaldevroutingkey00000001';
const { body: real } = JSON.parse(readFileSync('test/fixtures/alertmanager/real-group-firing.json', 'utf8')) as {
  body: { alerts: Record<string, unknown>[] } & Record<string, unknown>;
};

function notification(name: string, status: 'firing' | 'resolved'): string {
  const [template] = real.alerts;
  return JSON.stringify({
    ...real,
    status,
    groupKey: `{}:{alertname="${name}"}`,
    groupLabels: { alertname: name },
    commonLabels: { alertname: name, job: 'node' },
    alerts: Array.from({ length: count }, (_, i) => ({
      ...template,
      status,
      labels: { alertname: name, job: 'node', instance: `node-${i}:9100`, severity: 'critical' },
      annotations: { summary: `Node node-${i}:9100 is down` },
      fingerprint: createHash('sha256').update(`${name}/${i}`).digest('hex').slice(0, 16),
    })),
  });
}

const base = loadConfigFile('klaxon.config.json');
const config = parseConfig({
  ...base,
  routes: [
    {
      name: 'one incident per node',
      match: { source: 'alertmanager', labels: { alertname: 'PerNode' } },
      service: 'fleet',
      alertmanagerIncidents: 'per-alert',
    },
  ],
});
const runtime = await startLocalRuntime({ port: 0, config, verbose: false });
const post = async (body: string) => {
  const started = performance.now();
  const response = await fetch(`${runtime.url}/v1/alerts/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body,
  });
  const reply = (await response.json()) as { inbox?: string; chunks?: number };
  return { status: response.status, ms: Math.round(performance.now() - started), bytes: body.length, reply };
};

try {
  const groupFiring = await post(notification('FleetDown', 'firing'));
  const groupResolved = await post(notification('FleetDown', 'resolved'));
  const perAlert = await post(notification('PerNode', 'firing'));
  const started = performance.now();
  const { inbox = '', chunks = 0 } = perAlert.reply;
  for (let chunk = 0; chunk < chunks; chunk++) {
    while (await runtime.intakeDeps.inbox.get({ inbox, chunk })) await new Promise((r) => setTimeout(r, 200));
  }
  const fanOutMs = Math.round(performance.now() - started);
  let incidents = 0;
  let cursor: string | undefined;
  do {
    const page = await runtime.deps.store.listByStatus('open', { limit: 100, cursor, service: 'fleet' });
    incidents += page.incidents.length;
    cursor = page.next;
  } while (cursor);
  const summary = (result: Awaited<ReturnType<typeof post>>) => ({
    status: result.status,
    answeredMs: result.ms,
    bytes: result.bytes,
  });
  console.log(
    JSON.stringify(
      {
        alerts: count,
        group: { firing: summary(groupFiring), resolved: summary(groupResolved) },
        perAlert: {
          ...summary(perAlert),
          chunks,
          fanOutMs,
          incidents,
          failedInvocations: runtime.intakeAsync.failed.length,
        },
      },
      null,
      2,
    ),
  );
} finally {
  await runtime.stop();
}
