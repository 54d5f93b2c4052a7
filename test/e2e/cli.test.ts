/**
 * Every `klaxon` command against the local runtime, run in-process; the bin itself once as a
 * child process; and the SigV4 signature a deployed API would check.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiUrl } from '../../cli/api-client.js';
import { EXIT, runCli } from '../../cli/program.js';
import type { Incident } from '../../lambdas/core/incident.js';
import type { LocalRuntime } from '../../local/runtime.js';
import { eventually, LOCAL_ROUTING_KEY, startTestRuntime, storeManyIncidents } from '../support/local.js';

interface Run {
  code: number;
  out: string;
  err: string;
}

/** A stand-in HTTP server for the tests that need to see or shape exactly what the CLI sends. */
async function stubServer(
  answer: (url: URL, request: IncomingMessage, response: ServerResponse) => void,
): Promise<{ url: string; close: () => void }> {
  const server = createServer((request, response) =>
    answer(new URL(request.url ?? '/', 'http://stub'), request, response),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

describe('the API URL under a base path', () => {
  it.each([
    [
      'https://abc.execute-api.us-east-1.amazonaws.com/prod',
      'https://abc.execute-api.us-east-1.amazonaws.com/prod/v1/incidents',
    ],
    [
      'https://abc.execute-api.us-east-1.amazonaws.com/prod/',
      'https://abc.execute-api.us-east-1.amazonaws.com/prod/v1/incidents',
    ],
    ['https://klaxon.example.com/ops/klaxon//', 'https://klaxon.example.com/ops/klaxon/v1/incidents'],
    ['http://localhost:3000', 'http://localhost:3000/v1/incidents'],
    ['http://localhost:3000/', 'http://localhost:3000/v1/incidents'],
  ])('%s keeps its path', (base, expected) => {
    expect(apiUrl(base, '/v1/incidents').toString()).toBe(expected);
  });
});

describe('klaxon CLI', () => {
  let runtime: LocalRuntime;
  const klaxon = async (...args: string[]): Promise<Run> => {
    let out = '';
    let err = '';
    const code = await runCli(['--api', runtime.url, ...args], {
      out: (text) => {
        out += text;
      },
      err: (text) => {
        err += text;
      },
      env: {},
    });
    return { code, out, err };
  };
  const json = <T>(run: Run): T => JSON.parse(run.out) as T;

  beforeAll(async () => {
    runtime = await startTestRuntime();
  });
  afterAll(async () => {
    await runtime.stop();
  });

  it('fires a test alert of the given severity, which list shows as an open incident', async () => {
    const alert = await klaxon('alert', '--severity', 'critical', '--summary', 'CLI says checkout is down');
    expect(alert).toMatchObject({ code: EXIT.ok, err: '' });
    expect(alert.out).toContain('Alert sent');
    const listed = await klaxon('list');
    expect(listed.code).toBe(EXIT.ok);
    expect(listed.out).toMatch(/^# +ID +SEV +STATUS/);
    expect(listed.out).toMatch(/^#\d+ +\w+ +SEV1 +open .+CLI says checkout is down/m);
    const scripted = json<{ incidents: Incident[] }>(await klaxon('--json', 'list', '--severity', 'SEV1'));
    expect(scripted.incidents.map((item) => item.title)).toEqual(['CLI says checkout is down']);
  });

  it.each([
    ['SEV2', 'SEV2'],
    ['sev-1', 'SEV1'],
    ['P0', 'SEV1'],
    ['major', 'SEV2'],
    ['minor', 'SEV3'],
    ['SEV4', 'SEV4'],
  ])('an alert sent with --severity %s opens a %s incident', async (flag, tier) => {
    const dedupKey = `cli-tier-${flag}`;
    const sent = await klaxon('alert', '--severity', flag, '--summary', `Tier ${flag}`, '--dedup-key', dedupKey);
    expect(sent).toMatchObject({ code: EXIT.ok, err: '' });
    const listed = json<{ incidents: Incident[] }>(await klaxon('--json', 'list'));
    expect(listed.incidents.find((incident) => incident.title === `Tier ${flag}`)?.severity).toBe(tier);
  });

  it('an alert without --severity is a SEV3; an unknown severity is refused with the accepted ones', async () => {
    expect(await klaxon('alert', '--summary', 'No tier given', '--dedup-key', 'cli-no-tier')).toMatchObject({
      code: EXIT.ok,
    });
    const listed = json<{ incidents: Incident[] }>(await klaxon('--json', 'list'));
    expect(listed.incidents.find((incident) => incident.title === 'No tier given')?.severity).toBe('SEV3');

    const refused = await klaxon('alert', '--severity', 'SEV9', '--summary', 'Never sent');
    expect(refused.code).toBe(EXIT.usage);
    expect(refused.err).toContain('"SEV9" is not a severity; use one of SEV1 (critical, P0, sev1); SEV2 (error');
  });

  it('shows, acknowledges, notes and resolves an incident by its number, then exits 4 on resolving it again', async () => {
    await klaxon('alert', '--severity', 'warning', '--summary', 'Disk filling', '--dedup-key', 'cli-disk');
    const [incident] = json<{ incidents: Incident[] }>(await klaxon('--json', 'list', '--severity', 'SEV3')).incidents;
    const id = incident?.id ?? '';
    const number = String(incident?.number);

    const ack = await klaxon('ack', number, '--by', 'primary-oncall');
    expect(ack.out).toContain(`Incident #${number} acknowledged by primary-oncall`);
    expect((await klaxon('note', `#${number}`, 'Cleaning', 'up', 'logs', '--by', 'primary-oncall')).code).toBe(EXIT.ok);
    const resolved = await klaxon('resolve', id, '--note', 'rotated logs', '--by', 'primary-oncall');
    expect(resolved.out).toContain(`Incident #${number} resolved by primary-oncall`);

    const shown = await klaxon('show', number);
    expect(shown.out).toMatch(new RegExp(`^#${number} SEV3 Disk filling`));
    expect(shown.out).toContain(`id        ${id}`);
    expect(shown.out).toContain('status    resolved');
    expect(shown.out).toMatch(/note +Cleaning up logs/);
    expect(shown.out).toMatch(/resolved +Resolved by primary-oncall: rotated logs/);

    const again = await klaxon('resolve', id, '--note', 'twice');
    expect(again.code).toBe(EXIT.conflict);
    expect(again.err).toContain(`409: incident #${number}`);
    expect(again.err).toContain('already resolved');
  });

  it('takes an incident: assigned to the responder and acknowledged in one step', async () => {
    await klaxon('alert', '--severity', 'warning', '--summary', 'Cache misses', '--dedup-key', 'cli-take');
    const listed = json<{ incidents: Incident[] }>(await klaxon('--json', 'list', '--severity', 'SEV3')).incidents;
    const id = listed.find((item) => item.title === 'Cache misses')?.id ?? '';
    const taken = await klaxon('take', id, '--by', 'secondary-oncall');
    expect(taken).toMatchObject({ code: EXIT.ok, err: '' });
    expect(taken.out).toBe(
      `Incident ${id} taken by secondary-oncall: assigned to them, acknowledged (by secondary-oncall)\n`,
    );
    expect((await klaxon('show', id)).out).toMatch(
      /taken +Taken by Sam Secondary \(secondary-oncall\): assigned to them and acknowledged/,
    );
  });

  it('escalates an incident now: the next step pages at once; exits 3 for an unknown one and 4 once resolved', async () => {
    await klaxon('alert', '--severity', 'warning', '--summary', 'Queue backing up', '--dedup-key', 'cli-escalate');
    const listed = json<{ incidents: Incident[] }>(await klaxon('--json', 'list', '--severity', 'SEV3')).incidents;
    const id = listed.find((item) => item.title === 'Queue backing up')?.id ?? '';
    const escalated = await klaxon('escalate', id, '--note', 'need more hands', '--by', 'primary-oncall');
    expect(escalated).toMatchObject({ code: EXIT.ok, err: '' });
    const number = listed.find((item) => item.title === 'Queue backing up')?.number;
    expect(escalated.out).toBe(`Incident #${number} escalated: primary paged now (ladder run 2)\n`);
    const shown = await klaxon('show', id);
    expect(shown.out).toMatch(/ladder-replanned +Escalated now by primary-oncall: need more hands/);
    expect((await klaxon('escalate', 'NOPE')).code).toBe(EXIT.notFound);
    await klaxon('resolve', id, '--note', 'drained');
    expect((await klaxon('escalate', id)).code).toBe(EXIT.conflict);
  });

  it('exits 3 for an unknown incident and 2 for a missing --note or a bad month', async () => {
    expect((await klaxon('show', 'NOPE')).code).toBe(EXIT.notFound);
    const noNumber = await klaxon('show', '999999');
    expect(noNumber.code).toBe(EXIT.notFound);
    expect(noNumber.err).toContain('No incident #999999');
    const missingNote = await klaxon('resolve', 'NOPE');
    expect(missingNote.code).toBe(EXIT.usage);
    expect(missingNote.err).toContain("required option '--note <text>' not specified");
    const badMonth = await klaxon('report', '--month', 'November');
    expect(badMonth).toMatchObject({ code: EXIT.usage });
    expect(badMonth.err).toContain('--month must be a month such as 2026-11');
  });

  it('prints who is on call', async () => {
    const oncall = await klaxon('oncall');
    expect(oncall.out).toMatch(/primary +primary-oncall +Priya Primary/);
    expect(oncall.out).toMatch(/executive +executive +Erin Executive/);
  });

  it('adds, lists and removes a heartbeat monitor; a second add exits 4, removing an unknown one 3', async () => {
    const added = await klaxon(
      'heartbeat',
      'add',
      'cli-backup',
      '--interval',
      '1d',
      '--grace',
      '1h',
      '--service',
      'backups',
    );
    expect(added.code).toBe(EXIT.ok);
    expect(added.out).toContain(
      `curl -fsS -X POST -H "Authorization: Bearer $KLAXON_KEY" ${runtime.url}/v1/heartbeats/cli-backup`,
    );
    expect((await klaxon('heartbeat', 'add', 'cli-backup', '--interval', '1h')).code).toBe(EXIT.conflict);
    expect((await klaxon('heartbeat', 'list')).out).toMatch(/cli-backup +new +1d +1h +SEV2 +backups +- +- +api/);

    const ping = await fetch(`${runtime.url}/v1/heartbeats/cli-backup?key=${LOCAL_ROUTING_KEY}`);
    expect(ping.status).toBe(200);
    const [listed] = json<{ heartbeats: { status: string; lastPingAt: string }[] }>(
      await klaxon('--json', 'heartbeat', 'list'),
    ).heartbeats;
    expect(listed).toMatchObject({ status: 'up', lastPingAt: expect.any(String) });

    expect((await klaxon('heartbeat', 'rm', 'cli-backup')).code).toBe(EXIT.ok);
    expect((await klaxon('heartbeat', 'list')).out.trim()).toBe('No heartbeat monitors.');
    expect((await klaxon('heartbeat', 'rm', 'cli-backup')).code).toBe(EXIT.notFound);
    expect(runtime.schedules.list().filter((schedule) => schedule.name === 'hb-cli-backup')).toEqual([]);
  });

  it('starts a drill that pages with a [DRILL] tag and that the monthly report leaves out', async () => {
    const drill = json<Incident>(await klaxon('--json', 'drill', '--severity', 'SEV2', '--title', 'DB failover'));
    expect(drill).toMatchObject({ drill: true, severity: 'SEV2', status: 'open' });
    const page = await eventually(
      () => runtime.outbox.pages().find((message) => message.incidentId === drill.id),
      'the drill page',
    );
    expect(page.subject).toMatch(/^\[DRILL\] \[SEV2\] DB failover/);

    const month = drill.openedAt.slice(0, 7);
    const report = json<{ drillsLeftOut: number; incidents: number }>(
      await klaxon('--json', 'report', '--month', month),
    );
    expect(report.drillsLeftOut).toBe(1);
    const markdown = await klaxon('report', '--month', month);
    expect(markdown.out).toContain('## Incident Report:');
    expect(markdown.out).toContain(`- **Total Incidents**: ${report.incidents} (1 drill(s) left out)`);
  });

  it('runs as the npm bin and exits with the command code', async () => {
    const child = spawn(process.execPath, ['cli/klaxon.mjs', '--api', runtime.url, 'show', 'NOPE'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(EXIT.notFound);
    expect(err).toContain('404: No incident with id NOPE');
  });

  it('signs requests to a deployed API with SigV4 from the AWS credentials, but never alert posts', async () => {
    const seen: { url?: string; headers: IncomingHttpHeaders }[] = [];
    const server = createServer((request, response) => {
      seen.push({ url: request.url, headers: request.headers });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(request.url?.startsWith('/v1/alerts') ? '{"dedup_key":"k"}' : '{"incidents":[],"next":null}');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const env = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'eu-west-1' };
    const io = { out: () => undefined, err: () => undefined, env };
    const previous = { ...process.env };
    Object.assign(process.env, env); // the credential chain reads the process environment
    try {
      expect(await runCli(['--api', api, '--sign', 'list'], io)).toBe(EXIT.ok);
      expect(await runCli(['--api', api, '--sign', 'alert'], io)).toBe(EXIT.ok);
    } finally {
      process.env = previous;
      server.close();
    }
    expect(seen[0]?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$/,
    );
    expect(seen[0]?.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(seen[1]?.headers.authorization).toBeUndefined();
    // the alert went to the Events v2 route with the local routing key
    expect(seen[1]?.url).toBe('/v1/alerts/events');
  });

  it('never sends the public local key to an API that is not on this machine', async () => {
    const errors: string[] = [];
    const io = { out: () => undefined, err: (text: string) => errors.push(text), env: {} };
    const deployed = 'https://abc123.execute-api.eu-west-1.amazonaws.com';
    // Refused before any request: the host does not resolve here, so reaching it would exit 1.
    expect(await runCli(['--api', deployed, 'alert', '--severity', 'SEV1'], io)).toBe(EXIT.usage);
    expect(errors.join('')).toContain(
      `${deployed} is not on this machine: give one of its integration keys with --routing-key or KLAXON_ROUTING_KEY`,
    );
  });

  it('reaches an API served under a base path (a stage or a custom domain mapping) through that path', async () => {
    // Like API Gateway's stage: only /prod/... reaches the API; anything else is the host's 404.
    const target = new URL(runtime.url);
    const stage = await stubServer((url, request, response) => {
      if (!url.pathname.startsWith('/prod/')) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end('{"message":"Not Found"}');
        return;
      }
      const forwarded = httpRequest(
        {
          host: '127.0.0.1',
          port: target.port,
          method: request.method,
          path: `${url.pathname.slice('/prod'.length)}${url.search}`,
          // As API Gateway calls its integration: addressed to the backend's own host.
          headers: { ...request.headers, host: target.host },
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      request.pipe(forwarded);
    });
    const io = { out: () => undefined, err: () => undefined, env: {} };
    try {
      for (const base of [`${stage.url}/prod`, `${stage.url}/prod/`]) {
        let out = '';
        const code = await runCli(['--api', base, '--json', 'list', '--status', 'resolved'], {
          ...io,
          out: (text) => {
            out += text;
          },
        });
        expect(code).toBe(EXIT.ok);
        expect(JSON.parse(out)).toHaveProperty('incidents');
      }
      let err = '';
      const missing = await runCli(['--api', `${stage.url}/prod`, 'show', 'NOPE'], {
        ...io,
        err: (text) => {
          err += text;
        },
      });
      // Klaxon's own 404, not the host root's.
      expect(missing).toBe(EXIT.notFound);
      expect(err).toContain('No incident with id NOPE');
    } finally {
      stage.close();
    }
  });

  it('lists every matching incident, following the API cursor past the first page', async () => {
    await storeManyIncidents(runtime, 120, { severity: 'SEV4', service: 'bulk', prefix: 'cli-bulk' });
    const listed = json<{ incidents: Incident[]; next: string | null }>(
      await klaxon('--json', 'list', '--severity', 'SEV4', '--service', 'bulk'),
    );
    expect(listed.incidents).toHaveLength(120);
    expect(new Set(listed.incidents.map((item) => item.id)).size).toBe(120);
    expect(listed.next).toBeNull();
    const human = await klaxon('list', '--severity', 'SEV4', '--service', 'bulk');
    expect(human.out.trim().split('\n')).toHaveLength(121); // the header and every incident
    expect(human.err).toBe('');
  });

  it('stops at --limit and says on stderr that more may match', async () => {
    const seen: URLSearchParams[] = [];
    const pages = await stubServer((url, _request, response) => {
      seen.push(url.searchParams);
      const page = Number(url.searchParams.get('cursor') ?? '0');
      const incidents = Array.from({ length: Number(url.searchParams.get('limit')) }, (_, index) => ({
        id: `I${page}-${index}`,
        title: 'stub',
        severity: 'SEV2',
        status: 'open',
        service: 'stub',
        openedAt: '2026-11-01T00:00:00.000Z',
      }));
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ incidents, next: String(page + 1) }));
    });
    let out = '';
    let err = '';
    try {
      const code = await runCli(['--api', pages.url, 'list', '--service', 'stub', '--limit', '150'], {
        out: (text) => {
          out += text;
        },
        err: (text) => {
          err += text;
        },
        env: {},
      });
      expect(code).toBe(EXIT.ok);
    } finally {
      pages.close();
    }
    expect(seen.map((query) => [query.get('limit'), query.get('cursor'), query.get('service')])).toEqual([
      ['100', null, 'stub'],
      ['50', '1', 'stub'],
    ]);
    expect(out.trim().split('\n')).toHaveLength(151);
    expect(err).toBe(
      'klaxon: stopped at --limit 150; more open incidents may match. Narrow with --severity or --service, or raise --limit.\n',
    );
    expect((await klaxon('list', '--limit', '0')).code).toBe(EXIT.usage);
  });

  it('tells the user how to start Klaxon when nothing listens', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    let err = '';
    const code = await runCli(['--api', `http://127.0.0.1:${port}`, 'list'], {
      out: () => undefined,
      err: (text) => {
        err += text;
      },
      env: {},
    });
    expect(code).toBe(EXIT.failed);
    expect(err).toContain('Is it running (npm start)?');
  });
});
