/**
 * The web console's pages and forms: open incidents, an incident page with its timeline and
 * buttons, who is on call (and, on its own page, for the next 14 days, with a form to cover a
 * shift), sign-out. Forms are answered with a redirect back to what they changed
 * (post/redirect/get), so a reload never acknowledges twice. The router (web-console.ts) has
 * checked the session, the path's parameters and a POST's form token before any of these runs,
 * and loads this module on the first request for one of them.
 */
import type * as z from 'zod';
import { recentChangesFor } from '../core/change-events.js';
import { ROLES } from '../core/config-terms.js';
import { addNote, takeIncident } from '../core/incident-updates.js';
import { loadOnce } from '../core/load-once.js';
import { addOverride, currentOverrides, removeOverride } from '../core/overrides.js';
import { IncidentNotFoundError } from '../core/refusals.js';
import { escalateNow } from '../core/replan.js';
import { acknowledgeIncident, incidentIdFor, resolveIncident } from '../core/responder-actions.js';
import { onCallShifts, whoIsOnCall } from '../core/rotations.js';
import { actor, takingResponder } from './api-route.js';
import {
  continuationPage,
  homePage,
  incidentPage,
  type MorePage,
  type OutboxLine,
  onCallPage,
  type Viewer,
} from './console-pages.js';
import { SESSION_COOKIE, type SignInFlow, setCookie } from './console-session.js';
import type { HandlerDeps } from './deps.js';
import { htmlResult, page } from './html.js';
import {
  BadRequestError,
  bodyText,
  type HttpEvent,
  type HttpResult,
  httpErrorOf,
  pathParameter,
  validate,
} from './http.js';

const incidentsApiSchemas = loadOnce(() => import('../schemas/incidents-api.js'));

export interface ConsoleOptions {
  /** How a person signs in: Cognito's managed login on AWS, a responder picker on this machine. */
  signIn: SignInFlow;
  /** The local runtime's outbox; absent on AWS, where SNS and EventBridge have their own consoles. */
  outbox?: () => OutboxLine[];
}

export type Page = (
  deps: HandlerDeps,
  event: HttpEvent,
  viewer: Viewer,
  options: ConsoleOptions,
) => Promise<HttpResult>;

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
  return Object.fromEntries([...new URLSearchParams(bodyText(event))].filter(([, value]) => value.trim() !== ''));
}

const parseForm = <T extends z.ZodType>(schema: T, event: HttpEvent): z.infer<T> =>
  validate(schema, formFields(event), 'form');

/** The statuses the home page lists; each is read a page at a time with its own API cursor. */
const UNRESOLVED = ['open', 'acknowledged'] as const;
const CONSOLE_PAGE = 100;

/**
 * `/` shows the first page of open and of acknowledged incidents together; where either status
 * has more, a link carries its cursor to `/?status=…&cursor=…`, which shows that status's next
 * page alone (two cursors cannot advance one merged, date-sorted list without skipping rows).
 * A link that cannot be followed is a 400, which the router shows as "Not a valid link".
 */
export const home: Page = async (deps, event, viewer, options) => {
  const query = event.queryStringParameters ?? {};
  const team = query.team;
  if (team !== undefined && !deps.config.teams.some((candidate) => candidate.id === team)) {
    throw new BadRequestError(
      `No team "${team}" (teams: ${deps.config.teams.map((candidate) => candidate.id).join(', ')})`,
    );
  }
  if (query.cursor !== undefined) {
    const status = UNRESOLVED.find((name) => name === query.status);
    if (!status) throw new BadRequestError('A next-page link names its status.');
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

export const onCall: Page = (deps, _event, viewer) => showOnCall(deps, viewer);

export const coverShift = onCallAction(async (deps, event) => {
  const { overrideBodySchema } = await incidentsApiSchemas();
  const form = parseForm(overrideBodySchema, event);
  return addOverride(deps, { ...form, by: actor(deps, event, form.by) });
});

export const removeCover = onCallAction((deps, _event, id) => removeOverride(deps, id));

export const incident: Page = async (deps, event, viewer) => showIncident(deps, viewer, await pathId(deps, event));

export const acknowledge = formAction(async (deps, id, event) => {
  const { acknowledgeBodySchema } = await incidentsApiSchemas();
  const form = parseForm(acknowledgeBodySchema, event);
  return acknowledgeIncident(deps, id, actor(deps, event, form.by));
});

export const resolve = formAction(async (deps, id, event) => {
  const { resolveBodySchema } = await incidentsApiSchemas();
  const form = parseForm(resolveBodySchema, event);
  return resolveIncident(deps, id, actor(deps, event, form.by), { note: form.note, refuseIfResolved: true });
});

export const escalate = formAction(async (deps, id, event) => {
  const { escalateBodySchema } = await incidentsApiSchemas();
  const form = parseForm(escalateBodySchema, event);
  return escalateNow(deps, id, actor(deps, event, form.by), form.note);
});

export const postNote = formAction(async (deps, id, event) => {
  const { noteBodySchema } = await incidentsApiSchemas();
  const form = parseForm(noteBodySchema, event);
  return addNote(deps, id, actor(deps, event, form.by), form.message, form.noteId);
});

export const take = formAction(async (deps, id, event) => {
  const { takeBodySchema } = await incidentsApiSchemas();
  const form = parseForm(takeBodySchema, event);
  return takeIncident(deps, id, takingResponder(deps, event, form.by));
});

/** Sign-out clears the session cookie, then the sign-in flow says where the browser goes. */
export const signOut: Page = async (_deps, event, _viewer, options) => ({
  ...seeOther(options.signIn.signedOut(event)),
  cookies: [setCookie(event, SESSION_COOKIE, '', 0)],
});
