/**
 * The web console: open incidents, an incident page with its timeline and buttons, who is on
 * call (and, on its own page, for the next 14 days, with a form to cover a shift), and (on this
 * machine) the outbox. HTML forms post to it and are answered with a redirect
 * back to the incident (post/redirect/get), so a reload never acknowledges twice.
 *
 * Every page is for a signed-in responder (console-session.ts): the sign-in authorizer lets no
 * request without a session reach a console route, and every action is recorded as that
 * responder's. Every POST is checked here, before its route runs, for the session's form token
 * (a synchronizer token derived from the session): another site's page can make the browser
 * post a form here, cookie included, but can neither read nor compute the token. A form added
 * later is checked the same way with nothing to remember.
 */
import middy from '@middy/core';
import type * as z from 'zod';
import { recentChangesFor } from '../core/change-events.js';
import { responderById } from '../core/config-lookups.js';
import { ROLES } from '../core/config-terms.js';
import { addNote, takeIncident } from '../core/incident-updates.js';
import { loadOnce } from '../core/load-once.js';
import { addOverride, currentOverrides, removeOverride } from '../core/overrides.js';
import { escalateNow } from '../core/replan.js';
import {
  acknowledgeIncident,
  IncidentNotFoundError,
  incidentIdFor,
  resolveIncident,
} from '../core/responder-actions.js';
import { onCallShifts, whoIsOnCall } from '../core/rotations.js';
import { actor, takingResponder } from './api-route.js';
import {
  continuationPage,
  FORM_TOKEN_FIELD,
  homePage,
  incidentPage,
  type MorePage,
  type OutboxLine,
  onCallPage,
  type Viewer,
} from './console-pages.js';
import {
  carriesFormToken,
  formTokenOf,
  SESSION_COOKIE,
  type SignInFlow,
  setCookie,
  signedIn,
} from './console-session.js';
import type { HandlerDeps } from './deps.js';
import { escapeHtml, htmlResult, page } from './html.js';
import {
  type HttpEvent,
  type HttpResult,
  httpErrorOf,
  jsonErrors,
  PATH_PARAMETER_NAMES,
  pathParameter,
  validate,
} from './http.js';
import { HTTP_ROUTES, routeKey } from './routes.js';

const incidentsApiSchemas = loadOnce(() => import('../schemas/incidents-api.js'));

export interface ConsoleOptions {
  /** How a person signs in: Cognito's managed login on AWS, a responder picker on this machine. */
  signIn: SignInFlow;
  /** The local runtime's outbox; absent on AWS, where SNS and EventBridge have their own consoles. */
  outbox?: () => OutboxLine[];
}

/** A console link (a next-page or incident link) that cannot be followed; `why` is shown escaped. */
const notAValidLink = (why: string): HttpResult =>
  htmlResult(400, page('Not a valid link', `<h1>Not a valid link</h1><p>${escapeHtml(why)}</p>`));
const seeOther = (location: string): HttpResult => ({
  statusCode: 303,
  headers: { location, 'cache-control': 'no-store' },
  body: '',
});

/**
 * The posted fields, blank ones left out: a browser posts every input, so an optional field left
 * empty arrives as `note=`, which the schemas (shared with the JSON API) would refuse as too
 * short. Left out before validation, it means "not given", as it does in JSON.
 */
function formFields(event: HttpEvent): Record<string, string> {
  const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
  return Object.fromEntries([...new URLSearchParams(raw)].filter(([, value]) => value.trim() !== ''));
}

/** One field of the posted form, as sent (the form token is checked before the fields are parsed). */
function postedField(event: HttpEvent, name: string): string | null {
  const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
  return new URLSearchParams(raw).get(name);
}

const parseForm = <T extends z.ZodType>(schema: T, event: HttpEvent): z.infer<T> =>
  validate(schema, formFields(event), 'form');

type Page = (deps: HandlerDeps, event: HttpEvent, viewer: Viewer, options: ConsoleOptions) => Promise<HttpResult>;

/** The statuses the home page lists; each is read a page at a time with its own API cursor. */
const UNRESOLVED = ['open', 'acknowledged'] as const;
const CONSOLE_PAGE = 100;

/**
 * `/` shows the first page of open and of acknowledged incidents together; where either status
 * has more, a link carries its cursor to `/?status=…&cursor=…`, which shows that status's next
 * page alone (two cursors cannot advance one merged, date-sorted list without skipping rows).
 */
const home: Page = async (deps, event, viewer, options) => {
  const query = event.queryStringParameters ?? {};
  const team = query.team;
  if (team !== undefined && !deps.config.teams.some((candidate) => candidate.id === team)) {
    return notAValidLink(`No team "${team}" (teams: ${deps.config.teams.map((candidate) => candidate.id).join(', ')})`);
  }
  if (query.cursor !== undefined) {
    const status = UNRESOLVED.find((name) => name === query.status);
    if (!status) {
      return notAValidLink('A next-page link names its status.');
    }
    const next = await deps.store.listByStatus(status, { limit: CONSOLE_PAGE, cursor: query.cursor, team });
    return htmlResult(200, continuationPage(viewer, status, next.incidents, next.next, team));
  }
  const pages = await Promise.all(
    UNRESOLVED.map((status) => deps.store.listByStatus(status, { limit: CONSOLE_PAGE, team })),
  );
  const unresolved = pages.flatMap((listed) => listed.incidents).sort((a, b) => b.openedAt.localeCompare(a.openedAt));
  const more = UNRESOLVED.flatMap((status, index) => {
    const cursor = pages[index]?.next;
    return cursor ? [{ status, cursor, team } satisfies MorePage] : [];
  });
  const at = deps.clock.now();
  const covers = await currentOverrides(deps, at);
  const now = deps.config.teams.flatMap((team) => whoIsOnCall(team, ROLES, at, covers));
  return htmlResult(200, homePage(viewer, deps.config, now, unresolved, options.outbox?.(), more, team));
};

const ON_CALL_DAYS = 14;

/** `/oncall`: who holds each team's roles from now for 14 days, with a cover form per shift. */
async function showOnCall(deps: HandlerDeps, viewer: Viewer, status = 200, error?: string): Promise<HttpResult> {
  const at = deps.clock.now();
  const until = new Date(at.getTime() + ON_CALL_DAYS * 86_400_000);
  const covers = await currentOverrides(deps, at);
  const teams = deps.config.teams.map((team) => ({
    team: team.id,
    roles: ROLES.map((role) => ({ role, shifts: onCallShifts(team, role, at, until, covers) })),
  }));
  return htmlResult(status, onCallPage(viewer, deps.config, teams, covers, error));
}

/**
 * Runs an On call form, then shows the page again: redirected on success, with the reason on
 * refusal. Its path `{id}` and form token were checked before (guarded).
 */
function onCallAction(act: (deps: HandlerDeps, event: HttpEvent, id: string) => Promise<unknown>): Page {
  return async (deps, event, viewer) => {
    const id = event.pathParameters?.id === undefined ? '' : pathParameter(event, 'id');
    try {
      await act(deps, event, id);
    } catch (error) {
      const refused = httpErrorOf(error);
      if (!refused || refused.statusCode >= 500) throw error;
      return showOnCall(deps, viewer, refused.statusCode, `Not done: ${refused.message}`);
    }
    return seeOther('/oncall');
  };
}

async function showIncident(
  deps: HandlerDeps,
  viewer: Viewer,
  id: string,
  status = 200,
  error?: string,
): Promise<HttpResult> {
  const incident = await deps.store.getIncidentWithTimeline(id);
  if (!incident) return htmlResult(404, page('Not found', `<h1>No incident with id ${id.replace(/[^\w-]/g, '')}</h1>`));
  const changes = await recentChangesFor(deps.changes, incident, deps.clock.now());
  return htmlResult(status, incidentPage(viewer, deps.config, incident, error, changes));
}

/** The incident the path names, by id or by number (`/incidents/142`); a number that names none stays as it is, to show the page's 404. */
const pathId = (deps: HandlerDeps, event: HttpEvent) => {
  const reference = pathParameter(event, 'id');
  return incidentIdFor(deps.store, reference).catch((error: unknown) => {
    if (error instanceof IncidentNotFoundError) return reference;
    throw error;
  });
};

/** Runs a form action, then shows the incident again: redirected on success, with the reason on refusal. */
function formAction(act: (deps: HandlerDeps, id: string, event: HttpEvent) => Promise<unknown>): Page {
  return async (deps, event, viewer) => {
    const id = await pathId(deps, event);
    try {
      await act(deps, id, event);
    } catch (error) {
      const refused = httpErrorOf(error);
      if (!refused || refused.statusCode >= 500) throw error;
      if (refused.statusCode === 404) return showIncident(deps, viewer, id, 404);
      return showIncident(deps, viewer, id, refused.statusCode, `Not done: ${refused.message}`);
    }
    return seeOther(`/incidents/${encodeURIComponent(id)}`);
  };
}

/** Sign-out clears the session cookie, then the sign-in flow says where the browser goes. */
const signOut: Page = async (_deps, event, _viewer, options) => ({
  ...seeOther(options.signIn.signedOut(event)),
  cookies: [setCookie(event, SESSION_COOKIE, '', 0)],
});

export const CONSOLE_ROUTES: Record<string, Page> = {
  'GET /': home,
  'GET /oncall': (deps, _event, viewer) => showOnCall(deps, viewer),
  'POST /oncall/overrides': onCallAction(async (deps, event) => {
    const { overrideBodySchema } = await incidentsApiSchemas();
    const form = parseForm(overrideBodySchema, event);
    return addOverride(deps, { ...form, by: actor(deps, event, form.by) });
  }),
  'POST /oncall/overrides/{id}/remove': onCallAction((deps, _event, id) => removeOverride(deps, id)),
  'GET /incidents/{id}': async (deps, event, viewer) => showIncident(deps, viewer, await pathId(deps, event)),
  'POST /incidents/{id}/acknowledge': formAction(async (deps, id, event) => {
    const { acknowledgeBodySchema } = await incidentsApiSchemas();
    const form = parseForm(acknowledgeBodySchema, event);
    return acknowledgeIncident(deps, id, actor(deps, event, form.by));
  }),
  'POST /incidents/{id}/resolve': formAction(async (deps, id, event) => {
    const { resolveBodySchema } = await incidentsApiSchemas();
    const form = parseForm(resolveBodySchema, event);
    return resolveIncident(deps, id, actor(deps, event, form.by), { note: form.note, refuseIfResolved: true });
  }),
  'POST /incidents/{id}/escalate': formAction(async (deps, id, event) => {
    const { escalateBodySchema } = await incidentsApiSchemas();
    const form = parseForm(escalateBodySchema, event);
    return escalateNow(deps, id, actor(deps, event, form.by), form.note);
  }),
  'POST /incidents/{id}/notes': formAction(async (deps, id, event) => {
    const { noteBodySchema } = await incidentsApiSchemas();
    const form = parseForm(noteBodySchema, event);
    return addNote(deps, id, actor(deps, event, form.by), form.message, form.noteId);
  }),
  'POST /incidents/{id}/take': formAction(async (deps, id, event) => {
    const { takeBodySchema } = await incidentsApiSchemas();
    const form = parseForm(takeBodySchema, event);
    return takeIncident(deps, id, takingResponder(deps, event, form.by));
  }),
  'POST /auth/sign-out': signOut,
};

const AUTH_OF_ROUTE = new Map(HTTP_ROUTES.map((route) => [routeKey(route), route.auth]));

/** Said when a POST lacks its session's form token: nothing was done, and how to do it. */
const FORM_REFUSED =
  'Not done: this form did not come from a Klaxon console page of your session (its form token is missing or out of date, or another site sent it). Reload the page and use its buttons.';

/**
 * What every console route goes through before it runs: the session the authorizer found, the
 * path's parameters, and on a POST the form token. The sign-in steps run before any session.
 */
async function guarded(deps: HandlerDeps, event: HttpEvent, options: ConsoleOptions): Promise<HttpResult> {
  if (event.routeKey === 'GET /auth/sign-in') return options.signIn.start(event);
  if (event.routeKey === 'GET /auth/callback') return options.signIn.finish(event);
  const route = CONSOLE_ROUTES[event.routeKey];
  const session = signedIn(event);
  const formToken = formTokenOf(event);
  if (!route || AUTH_OF_ROUTE.get(event.routeKey) !== 'session') {
    return htmlResult(404, page('Not found', '<h1>Not found</h1>'));
  }
  if (!session || !formToken) {
    return htmlResult(
      401,
      page('Sign in', '<h1>Sign in</h1><p>Your session has ended. <a href="/auth/sign-in">Sign in</a> again.</p>'),
    );
  }
  for (const name of PATH_PARAMETER_NAMES) if (event.pathParameters?.[name] !== undefined) pathParameter(event, name);
  if (event.routeKey.startsWith('POST ') && !carriesFormToken(event, postedField(event, FORM_TOKEN_FIELD))) {
    return htmlResult(
      403,
      page(
        'Not done',
        `<h1>Not done</h1><p role="alert">${escapeHtml(FORM_REFUSED)}</p><p><a href="/">Back to the console</a></p>`,
      ),
    );
  }
  const name = responderById(deps.config, session.responder)?.name ?? session.responder;
  return route(deps, event, { responder: session.responder, name, formToken }, options);
}

export const webConsole =
  (deps: HandlerDeps, options: ConsoleOptions) =>
  async (event: HttpEvent): Promise<HttpResult> => {
    try {
      return await guarded(deps, event, options);
    } catch (error) {
      // A mangled link (a broken cursor, an id no incident can have) is answered in the page the
      // person is looking at, not as JSON.
      const refused = httpErrorOf(error);
      if (!refused || refused.statusCode >= 500) throw error;
      if (refused.statusCode !== 404) return notAValidLink(refused.message);
      return htmlResult(404, page('Not found', `<h1>Not found</h1><p>${escapeHtml(refused.message)}</p>`));
    }
  };

export const makeWebConsoleHandler = (deps: HandlerDeps, options: ConsoleOptions) =>
  middy<HttpEvent, HttpResult>()
    .use(jsonErrors({ logger: deps.logger }))
    .handler(webConsole(deps, options));
