/**
 * `klaxon`: the responders' command line. Human-readable output by default, `--json` for scripts,
 * and exit codes a script can branch on (EXIT below).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError, DEFAULT_SEVERITY_POLICY, parseConfig, ROLES, SEVERITIES } from '../lambdas/core/config.js';
import { parseDurationSeconds } from '../lambdas/core/duration.js';
import type { Incident, IncidentWithTimeline } from '../lambdas/core/incident.js';
import { LOCAL_ROUTING_KEY, newIntegrationKey } from '../lambdas/core/integration-keys.js';
import type { ShiftOverride } from '../lambdas/core/ports.js';
import { monthRange } from '../lambdas/core/reports.js';
import { EVENTS_V2_SEVERITY_FOR, resolveSeverityIn } from '../lambdas/core/severity.js';
import type { EventsV2Severity } from '../lambdas/schemas/events-v2.js';
import { DEFAULT_CONFIG_FILE, DEPLOY_CONFIG_FILE } from '../lib/config-file.js';
import { type ApiClient, type ApiResponse, ApiUnreachableError, apiClient, isLoopback } from './api-client.js';
import { heartbeatTable, incidentDetail, incidentTable, onCallTable, overrideTable } from './format.js';

export const EXIT = {
  ok: 0,
  /** Klaxon or the network failed; retrying may help. */
  failed: 1,
  /** The command or its input was wrong (a flag, or a 400 from the API). */
  usage: 2,
  /** No such incident. */
  notFound: 3,
  /** The incident cannot do that now (a 409: resolving a resolved incident). */
  conflict: 4,
  /** The API refused the credentials (401/403). */
  denied: 5,
} as const;

export const DEFAULT_API = 'http://localhost:3000';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
}

class ApiFailure extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `--severity` of `klaxon alert`: a tier or one of its default aliases, sent as the Events v2
 * severity that stands for the tier (the route takes only PagerDuty's four).
 */
export function eventsV2SeverityFromFlag(text: string): EventsV2Severity {
  const tier = resolveSeverityIn(DEFAULT_SEVERITY_POLICY, text);
  if (!tier) {
    const accepted = SEVERITIES.map((name) => `${name} (${DEFAULT_SEVERITY_POLICY[name].aliases.join(', ')})`);
    throw new InvalidArgumentError(`"${text}" is not a severity; use one of ${accepted.join('; ')}`);
  }
  return EVENTS_V2_SEVERITY_FOR[tier];
}

function exitCodeFor(status: number): number {
  if (status === 404) return EXIT.notFound;
  if (status === 409) return EXIT.conflict;
  if (status === 401 || status === 403) return EXIT.denied;
  if (status >= 400 && status < 500) return EXIT.usage;
  return EXIT.failed;
}

/** The body of a 2xx, or an ApiFailure carrying the API's own message. */
function expectOk(response: ApiResponse): unknown {
  if (response.status >= 200 && response.status < 300) return response.body;
  const message =
    typeof response.body === 'object' && response.body !== null && 'message' in response.body
      ? String((response.body as { message: unknown }).message)
      : String(response.body);
  throw new ApiFailure(exitCodeFor(response.status), `${response.status}: ${message}`);
}

/**
 * How many incidents `klaxon list` shows at most by default. An on-call engineer reads `list` as
 * "everything that matches" (as PagerDuty's and GoAlert's CLIs do), so the CLI follows the API's
 * `next` cursor rather than stopping at one page: the severity and service filters apply after
 * the page limit, so one page can hold a few matches, or none, while more follow. The cap only
 * keeps a runaway listing (thousands of resolved incidents) from flooding a terminal, and hitting
 * it is said on stderr.
 */
export const LIST_CAP = 1000;
/** The API's largest page. */
const LIST_PAGE = 100;

/**
 * Every incident of the listing, page after page, up to `limit`; `next` is the API's cursor when
 * the limit stopped the listing with the API still offering more (a full last page gets a cursor
 * even when nothing follows, so "more may match"), else null.
 */
async function listAll(
  api: ApiClient,
  filter: { status: string; severity?: string; service?: string; team?: string },
  limit: number,
): Promise<{ incidents: Incident[]; next: string | null }> {
  const incidents: Incident[] = [];
  let cursor: string | undefined;
  do {
    const page = expectOk(
      await api.request('GET', '/v1/incidents', {
        query: { ...filter, limit: String(Math.min(LIST_PAGE, limit - incidents.length)), cursor },
      }),
    ) as { incidents: Incident[]; next: string | null };
    incidents.push(...page.incidents);
    cursor = page.next ?? undefined;
  } while (cursor !== undefined && incidents.length < limit);
  return { incidents, next: cursor ?? null };
}

interface GlobalOptions {
  api: string;
  json: boolean;
  region?: string;
  sign?: boolean;
}

export function buildProgram(io: CliIo): Command {
  const program = new Command('klaxon')
    .description('Klaxon incident response: list, show, acknowledge and resolve incidents; reports and drills.')
    .addOption(
      new Option('--api <url>', 'Klaxon API base URL (signed with your AWS credentials unless on this machine)')
        .env('KLAXON_API')
        .default(DEFAULT_API),
    )
    .option('--json', 'print JSON for scripts', false)
    .option('--region <region>', 'AWS region of a deployed API, for signing (default: AWS_REGION or the URL)')
    .option('--sign', 'sign requests even to an API on this machine')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError();

  const client = (): { api: ApiClient; options: GlobalOptions } => {
    const options = program.opts<GlobalOptions>();
    return {
      api: apiClient({ baseUrl: options.api, region: options.region, sign: options.sign, env: io.env }),
      options,
    };
  };
  const print = (options: GlobalOptions, value: unknown, human: () => string) =>
    io.out(options.json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);

  program
    .command('alert')
    .description('Fire a test alert through the Events API v2 route')
    .addOption(
      new Option('-s, --severity <severity>', 'SEV1…SEV4 or an alias (critical, P0, major, …)')
        .argParser(eventsV2SeverityFromFlag)
        .default(EVENTS_V2_SEVERITY_FOR.SEV3, 'SEV3'),
    )
    .option('--summary <text>', 'what is wrong', 'Test alert from the klaxon CLI')
    .option('--service <name>', 'the service it concerns', 'klaxon-cli')
    .option('--dedup-key <key>', 'alerts with the same key join one incident (default: a new key each time)')
    .addOption(
      new Option(
        '--routing-key <key>',
        'integration key (default: the local key, for an API on this machine only)',
      ).env('KLAXON_ROUTING_KEY'),
    )
    .action(
      async (flags: { severity: string; summary: string; service: string; dedupKey?: string; routingKey?: string }) => {
        const { api, options } = client();
        // The local key is public: a deployed Klaxon refuses it, and guessing it would page nobody.
        const routingKey = flags.routingKey ?? (isLoopback(options.api) ? LOCAL_ROUTING_KEY : undefined);
        if (routingKey === undefined) {
          throw new ApiFailure(
            EXIT.usage,
            `${options.api} is not on this machine: give one of its integration keys with --routing-key or KLAXON_ROUTING_KEY (the local key works only with npm start)`,
          );
        }
        const body = expectOk(
          await api.request('POST', '/v1/alerts/events', {
            signed: false,
            body: {
              routing_key: routingKey,
              event_action: 'trigger',
              dedup_key: flags.dedupKey ?? `klaxon-cli/${Date.now()}`,
              payload: { summary: flags.summary, source: 'klaxon-cli', severity: flags.severity, group: flags.service },
            },
          }),
        ) as { dedup_key: string };
        print(options, body, () => `Alert sent (dedup key ${body.dedup_key}). See it with: klaxon list`);
      },
    );

  program
    .command('list')
    .description('List every incident that matches, newest first')
    .addOption(
      new Option('--status <status>', 'which incidents').choices(['open', 'acknowledged', 'resolved']).default('open'),
    )
    .addOption(new Option('--severity <severity>', 'only this severity').choices([...SEVERITIES]))
    .option('--service <name>', 'only this service')
    .option('--team <id>', "only this team's incidents")
    .option('--limit <n>', 'stop after this many (a note on stderr says when more may match)', String(LIST_CAP))
    .action(async (flags: { status: string; severity?: string; service?: string; team?: string; limit: string }) => {
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1) {
        throw new ApiFailure(EXIT.usage, `--limit must be a whole number of at least 1, not "${flags.limit}"`);
      }
      const { api, options } = client();
      const body = await listAll(
        api,
        { status: flags.status, severity: flags.severity, service: flags.service, team: flags.team },
        limit,
      );
      print(options, body, () => incidentTable(body.incidents, flags.status));
      if (body.next !== null) {
        io.err(
          `klaxon: stopped at --limit ${limit}; more ${flags.status} incidents may match. Narrow with --severity or --service, or raise --limit.\n`,
        );
      }
    });

  program
    .command('show')
    .argument('<incident>', 'incident number (142 or #142) or id')
    .description('Show an incident with its timeline')
    .action(async (id: string) => {
      const { api, options } = client();
      const body = expectOk(
        await api.request('GET', `/v1/incidents/${encodeURIComponent(id)}`),
      ) as IncidentWithTimeline;
      print(options, body, () => incidentDetail(body));
    });

  program
    .command('ack')
    .argument('<incident>', 'incident number (142 or #142) or id')
    .option(
      '--by <responder>',
      'who acknowledges, on this machine; on AWS you are your IAM principal, and another name is recorded as "on behalf of"',
    )
    .description('Acknowledge an incident (stops the "unless acknowledged" escalation steps)')
    .action(async (id: string, flags: { by?: string }) => {
      const { api, options } = client();
      const body = expectOk(
        await api.request('POST', `/v1/incidents/${encodeURIComponent(id)}/acknowledge`, { body: { by: flags.by } }),
      ) as Incident;
      print(
        options,
        body,
        () => `Incident #${body.number} acknowledged by ${body.acknowledgedBy} at ${body.acknowledgedAt}`,
      );
    });

  program
    .command('take')
    .argument('<id>', 'incident id')
    .option(
      '--by <responder>',
      'who takes it, on this machine (on AWS: you, as your IAM principal maps to a responder)',
    )
    .description('Take an incident: assign it to yourself and acknowledge it, in one step')
    .action(async (id: string, flags: { by?: string }) => {
      const { api, options } = client();
      const body = expectOk(
        await api.request('POST', `/v1/incidents/${encodeURIComponent(id)}/take`, { body: { by: flags.by } }),
      ) as Incident;
      print(
        options,
        body,
        () =>
          `Incident ${body.id} taken by ${body.assignee}: assigned to them, ${body.status} (by ${body.acknowledgedBy})`,
      );
    });

  program
    .command('resolve')
    .argument('<incident>', 'incident number (142 or #142) or id')
    .requiredOption('--note <text>', 'what fixed it')
    .option('--by <responder>', 'who resolves')
    .description('Resolve an incident (stops the escalation)')
    .action(async (id: string, flags: { note: string; by?: string }) => {
      const { api, options } = client();
      const body = expectOk(
        await api.request('POST', `/v1/incidents/${encodeURIComponent(id)}/resolve`, {
          body: { by: flags.by, note: flags.note },
        }),
      ) as Incident;
      print(options, body, () => `Incident #${body.number} resolved by ${body.resolvedBy} at ${body.resolvedAt}`);
    });

  program
    .command('escalate')
    .argument('<incident>', 'incident number (142 or #142) or id')
    .option('--note <text>', 'why, for the timeline')
    .option('--by <responder>', 'who escalates')
    .description('Page the next step of the ladder now, even if acknowledged; later steps keep their spacing')
    .action(async (id: string, flags: { note?: string; by?: string }) => {
      const { api, options } = client();
      const body = expectOk(
        await api.request('POST', `/v1/incidents/${encodeURIComponent(id)}/escalate`, {
          body: { by: flags.by, note: flags.note },
        }),
      ) as Incident;
      const next = body.run.ladder?.steps[0];
      print(
        options,
        body,
        () =>
          `Incident #${body.number} escalated: ${next ? [...next.notify, ...(next.responders ?? [])].join(' and ') : 'the next step'} paged now (ladder run ${body.run.number})`,
      );
    });

  program
    .command('note')
    .argument('<incident>', 'incident number (142 or #142) or id')
    .argument('<message...>', 'the status update')
    .option('--by <responder>', 'who posts it')
    .description('Post a status update to the incident timeline')
    .action(async (id: string, words: string[], flags: { by?: string }) => {
      const { api, options } = client();
      const body = expectOk(
        await api.request('POST', `/v1/incidents/${encodeURIComponent(id)}/notes`, {
          body: { by: flags.by, message: words.join(' ') },
        }),
      ) as IncidentWithTimeline;
      print(options, body, () => `Note added to incident #${body.number} (${body.timeline.length} timeline entries)`);
    });

  program
    .command('oncall')
    .description("Who is on call for each team's roles, overrides applied")
    .option('--team <id>', 'only this team')
    .action(async (flags: { team?: string }) => {
      const { api, options } = client();
      const body = expectOk(await api.request('GET', '/v1/oncall', { query: { team: flags.team } })) as Parameters<
        typeof onCallTable
      >[0];
      print(options, body, () => onCallTable(body));
    });

  const override = program
    .command('override')
    .description('Cover a shift without a redeploy: overrides made at run time, honoured at the next page');
  override
    .command('add')
    .description('Put a responder on call for a role from --from to --to (or for --for)')
    .requiredOption('--role <role>', `the role covered (${ROLES.join(', ')})`)
    .requiredOption('--responder <id>', 'who covers it (a responder id)')
    .requiredOption('--reason <text>', 'why, for the rota')
    .option('--team <id>', 'the team (default: the default team)')
    .option('--from <when>', 'when the cover starts: an ISO-8601 time, or "now"', 'now')
    .option('--to <when>', 'when it ends: an ISO-8601 time')
    .option('--for <duration>', 'how long it lasts instead of --to, e.g. 12h or 2d')
    .option('--by <responder>', 'who makes it')
    .action(
      async (flags: {
        role: string;
        responder: string;
        reason: string;
        team?: string;
        from: string;
        to?: string;
        for?: string;
        by?: string;
      }) => {
        const from = flags.from === 'now' ? new Date() : new Date(flags.from);
        if (Number.isNaN(from.getTime())) {
          throw new ApiFailure(EXIT.usage, `--from must be "now" or an ISO-8601 time, not "${flags.from}"`);
        }
        const seconds = flags.for === undefined ? undefined : parseDurationSeconds(flags.for);
        if ((flags.to === undefined) === (flags.for === undefined) || (flags.for !== undefined && !seconds)) {
          throw new ApiFailure(EXIT.usage, 'give either --to (an ISO-8601 time) or --for (a duration such as 12h)');
        }
        const to = seconds ? new Date(from.getTime() + seconds * 1000).toISOString() : flags.to;
        const { api, options } = client();
        const body = expectOk(
          await api.request('POST', '/v1/overrides', {
            body: {
              team: flags.team,
              role: flags.role,
              responder: flags.responder,
              from: from.toISOString(),
              to,
              reason: flags.reason,
              by: flags.by,
            },
          }),
        ) as ShiftOverride;
        print(
          options,
          body,
          () =>
            `Override ${body.id}: ${body.responder} is ${body.team}'s ${body.role} from ${body.from} to ${body.to}. Undo it with: klaxon override rm ${body.id}`,
        );
      },
    );
  override
    .command('list')
    .description('The overrides made at run time that are not over yet')
    .option('--team <id>', 'only this team')
    .action(async (flags: { team?: string }) => {
      const { api, options } = client();
      const body = expectOk(await api.request('GET', '/v1/overrides', { query: { team: flags.team } })) as {
        overrides: ShiftOverride[];
      };
      print(options, body, () => overrideTable(body.overrides));
    });
  override
    .command('rm')
    .argument('<id>', 'override id (from klaxon override list)')
    .description('Remove an override: the rota is back as planned, and its handoff notices are cancelled')
    .action(async (id: string) => {
      const { api, options } = client();
      const body = expectOk(await api.request('DELETE', `/v1/overrides/${encodeURIComponent(id)}`)) as ShiftOverride;
      print(
        options,
        body,
        () => `Override ${body.id} removed (${body.responder} no longer covers ${body.team}'s ${body.role})`,
      );
    });

  program
    .command('drill')
    .description('Start a fire drill: a [DRILL] incident that pages for real and is left out of reports')
    .addOption(new Option('-s, --severity <severity>', 'tier to drill').choices([...SEVERITIES]).default('SEV2'))
    .option('--title <text>', 'the scenario', 'Fire drill')
    .option('--team <id>', 'the team whose people it pages (default: the default team)')
    .action(async (flags: { severity: string; title: string; team?: string }) => {
      const { api, options } = client();
      const body = expectOk(
        await api.request('POST', '/v1/drills', {
          body: { severity: flags.severity, title: flags.title, team: flags.team },
        }),
      ) as Incident;
      print(
        options,
        body,
        () =>
          `Drill started: incident #${body.number} (${body.severity}). Acknowledge it with: klaxon ack ${body.number}`,
      );
    });

  program
    .command('report')
    .description("The runbooks' monthly report: incidents per severity, MTTA, MTTR, escalation rate, top sources")
    .requiredOption('--month <yyyy-mm>', 'the month, e.g. 2026-11')
    .option('--team <id>', "only this team's incidents")
    .action(async (flags: { month: string; team?: string }) => {
      const range = monthRange(flags.month);
      if (!range) throw new ApiFailure(EXIT.usage, `--month must be a month such as 2026-11, not "${flags.month}"`);
      const { api, options } = client();
      const body = expectOk(
        await api.request('GET', '/v1/reports', {
          query: { ...range, team: flags.team, format: options.json ? 'json' : 'markdown' },
        }),
      );
      io.out(options.json ? `${JSON.stringify(body, null, 2)}\n` : String(body));
    });

  const heartbeat = program
    .command('heartbeat')
    .description('Heartbeat monitors: a job that stops pinging Klaxon opens an incident');
  heartbeat
    .command('add')
    .description('Add a monitor; it starts watching at its first ping')
    .argument('<name>', 'the monitor, e.g. nightly-backup (letters, digits, ".", "_", "-")')
    .requiredOption('--interval <duration>', 'how often the job pings, e.g. 1d, 15m')
    .option('--grace <duration>', 'how late a ping may be before an incident opens, e.g. 1h', '0')
    .addOption(
      new Option('-s, --severity <severity>', 'severity of its incident').choices([...SEVERITIES]).default('SEV2'),
    )
    .option('--service <service>', "the service its incidents belong to (default: the config's defaultService)")
    .action(async (name: string, flags: { interval: string; grace: string; severity: string; service?: string }) => {
      const { api, options } = client();
      const body = expectOk(await api.request('POST', '/v1/heartbeats', { body: { name, ...flags } })) as {
        name: string;
        service: string;
      };
      print(options, body, () =>
        [
          `Heartbeat monitor ${body.name} added (service ${body.service}). Have the job ping, with an integration key:`,
          `  curl -fsS -X POST -H "Authorization: Bearer $KLAXON_KEY" ${api.baseUrl}/v1/heartbeats/${body.name}`,
        ].join('\n'),
      );
    });
  heartbeat
    .command('list')
    .description('Every monitor with its last ping, deadline and status (new, up, late, missing)')
    .action(async () => {
      const { api, options } = client();
      const body = expectOk(await api.request('GET', '/v1/heartbeats')) as {
        heartbeats: Parameters<typeof heartbeatTable>[0];
      };
      print(options, body, () => heartbeatTable(body.heartbeats));
    });
  heartbeat
    .command('rm')
    .description('Remove a monitor added through the API (one from the config file is removed there)')
    .argument('<name>', 'the monitor')
    .action(async (name: string) => {
      const { api, options } = client();
      const body = expectOk(await api.request('DELETE', `/v1/heartbeats/${encodeURIComponent(name)}`));
      print(options, body, () => `Heartbeat monitor ${name} removed.`);
    });

  const keys = program.command('keys').description('Integration keys for alert senders');
  keys
    .command('new')
    .description('Make a fresh integration key: shown once; put the printed entry in integrationKeys of your config')
    .requiredOption('--name <name>', 'the sender it is for (scopes its dedup keys), e.g. prometheus')
    .action((flags: { name: string }) => {
      const { key, entry } = newIntegrationKey(flags.name);
      print(program.opts<GlobalOptions>(), { key, entry }, () =>
        [
          `New integration key for "${flags.name}" (shown this once; Klaxon keeps only its SHA-256):`,
          `  ${key}`,
          'Give it to the sender (routing_key, or "Authorization: Bearer <key>" for Alertmanager), and add this entry',
          `to integrationKeys in your deploy config (${DEPLOY_CONFIG_FILE}), then deploy:`,
          `  ${JSON.stringify(entry)}`,
        ].join('\n'),
      );
    });

  program
    .command('init')
    .description(
      `Write a config to deploy: the roster of ${DEFAULT_CONFIG_FILE} with fresh integration keys, shown once`,
    )
    .option('--from <file>', 'the config whose roster, roles and policy to copy', DEFAULT_CONFIG_FILE)
    .option('--out <file>', 'the config to write (never overwritten)', DEPLOY_CONFIG_FILE)
    .option('--key <name...>', 'one fresh integration key per sender name', ['alerts'])
    .action((flags: { from: string; out: string; key: string[] }) => {
      if (existsSync(flags.out)) {
        throw new ApiFailure(EXIT.usage, `${flags.out} exists; add keys to it with: klaxon keys new --name <sender>`);
      }
      let template: Record<string, unknown>;
      try {
        template = JSON.parse(readFileSync(flags.from, 'utf8')) as Record<string, unknown>;
        parseConfig(template, `config file ${flags.from}`);
      } catch (error) {
        throw new ApiFailure(EXIT.usage, `Cannot use ${flags.from} as a template: ${(error as Error).message}`);
      }
      const fresh = flags.key.map((name) => newIntegrationKey(name));
      const config = {
        ...template,
        integrationKeys: fresh.map(({ entry }) => entry),
        // The local runtime's topics mean nothing on AWS; the stack allows its own alarm topic.
        snsTopicArns: ((template.snsTopicArns ?? []) as string[]).filter(
          (arn) => !arn.startsWith('arn:aws:sns:local:'),
        ),
      };
      parseConfig(config, `config for ${flags.out}`);
      writeFileSync(flags.out, `${JSON.stringify(config, null, 2)}\n`, { flag: 'wx' });
      print(
        program.opts<GlobalOptions>(),
        { file: flags.out, keys: fresh.map(({ key, entry }) => ({ name: entry.name, key })) },
        () =>
          [
            `Wrote ${flags.out}. Integration keys (shown this once; the file keeps only their SHA-256):`,
            ...fresh.map(({ key, entry }) => `  ${entry.name}: ${key}`),
            `Edit its responders and roles, then: npx cdk deploy${flags.out === DEPLOY_CONFIG_FILE ? '' : ` -c config=${flags.out}`}`,
          ].join('\n'),
      );
    });

  return program;
}

/** Runs one command line; returns the exit code instead of exiting, so tests run it in-process. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  for (const command of program.commands)
    command.exitOverride().configureOutput({ writeOut: io.out, writeErr: io.err });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof ApiFailure) {
      io.err(`klaxon: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof ConfigError) {
      io.err(`klaxon: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof ApiUnreachableError) {
      io.err(`klaxon: ${error.message}\n`);
      return EXIT.failed;
    }
    throw error;
  }
}
