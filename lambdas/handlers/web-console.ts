/**
 * The web console: open incidents, an incident page with its timeline and buttons, who is on
 * call, and (on this machine) the outbox. HTML forms post to it and are answered with a redirect
 * back to the incident (post/redirect/get), so a reload never acknowledges twice.
 *
 * Forms carry a token (double submit): the incident page sets it as a cookie and puts the same
 * value in each form, and a post acts only when the two match. Another site's page can make the
 * browser post a form here, but can neither read the token nor set the cookie. A double submit
 * needs no key, so it works alike on this machine and on AWS.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import middy from '@middy/core';
import type * as z from 'zod';
import { recentChangesFor } from '../core/change-events.js';
import { addNote } from '../core/incident-updates.js';
import { escalateNow } from '../core/replan.js';
import {
  acknowledgeIncident,
  IncidentNotFoundError,
  incidentIdFor,
  resolveIncident,
} from '../core/responder-actions.js';
import {
  acknowledgeBodySchema,
  escalateBodySchema,
  noteBodySchema,
  resolveBodySchema,
} from '../schemas/incidents-api.js';
import { actor } from './api-route.js';
import {
  continuationPage,
  FORM_TOKEN_FIELD,
  homePage,
  incidentPage,
  type MorePage,
  type OutboxLine,
} from './console-pages.js';
import type { HandlerDeps } from './deps.js';
import { escapeHtml, htmlResult, page } from './html.js';
import {
  type HttpEvent,
  type HttpResult,
  headerValue,
  httpErrorOf,
  jsonErrors,
  pathParameter,
  validate,
} from './http.js';

export interface ConsoleOptions {
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

const FORM_COOKIE = 'klaxon-form';
const FORM_TOKEN = /^[\w-]{43}$/;

/** The browser's form token from its cookie (API Gateway payload 2.0 passes cookies in `cookies`). */
function cookieToken(event: HttpEvent): string | undefined {
  const prefix = `${FORM_COOKIE}=`;
  const value = event.cookies?.find((cookie) => cookie.startsWith(prefix))?.slice(prefix.length);
  return value && FORM_TOKEN.test(value) ? value : undefined;
}

/** The token for the page's forms: the browser's own, or a new one set as its cookie. */
function formToken(event: HttpEvent): { token: string; setCookie?: string } {
  const existing = cookieToken(event);
  if (existing) return { token: existing };
  const token = randomBytes(32).toString('base64url');
  const secure = headerValue(event, 'x-forwarded-proto') === 'https' ? '; Secure' : '';
  return { token, setCookie: `${FORM_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax${secure}` };
}

function postedFromOurPage(event: HttpEvent): boolean {
  const cookie = cookieToken(event);
  const posted = new URLSearchParams(
    event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? ''),
  ).get(FORM_TOKEN_FIELD);
  if (!cookie || !posted || posted.length !== cookie.length) return false;
  return timingSafeEqual(Buffer.from(posted), Buffer.from(cookie));
}

const parseForm = <T extends z.ZodType>(schema: T, event: HttpEvent): z.infer<T> =>
  validate(schema, formFields(event), 'form');

type Page = (deps: HandlerDeps, event: HttpEvent, options: ConsoleOptions) => Promise<HttpResult>;

/** The statuses the home page lists; each is read a page at a time with its own API cursor. */
const UNRESOLVED = ['open', 'acknowledged'] as const;
const CONSOLE_PAGE = 100;

/**
 * `/` shows the first page of open and of acknowledged incidents together; where either status
 * has more, a link carries its cursor to `/?status=…&cursor=…`, which shows that status's next
 * page alone (two cursors cannot advance one merged, date-sorted list without skipping rows).
 */
const home: Page = async (deps, event, options) => {
  const query = event.queryStringParameters ?? {};
  if (query.cursor !== undefined) {
    const status = UNRESOLVED.find((name) => name === query.status);
    if (!status) {
      return notAValidLink('A next-page link names its status.');
    }
    const next = await deps.store.listByStatus(status, { limit: CONSOLE_PAGE, cursor: query.cursor });
    return htmlResult(200, continuationPage(status, next.incidents, next.next));
  }
  const pages = await Promise.all(UNRESOLVED.map((status) => deps.store.listByStatus(status, { limit: CONSOLE_PAGE })));
  const unresolved = pages.flatMap((listed) => listed.incidents).sort((a, b) => b.openedAt.localeCompare(a.openedAt));
  const more = UNRESOLVED.flatMap((status, index) => {
    const cursor = pages[index]?.next;
    return cursor ? [{ status, cursor } satisfies MorePage] : [];
  });
  return htmlResult(200, homePage(deps.config, unresolved, options.outbox?.(), more));
};

async function showIncident(
  deps: HandlerDeps,
  event: HttpEvent,
  id: string,
  status = 200,
  error?: string,
): Promise<HttpResult> {
  const incident = await deps.store.getIncidentWithTimeline(id);
  if (!incident) return htmlResult(404, page('Not found', `<h1>No incident with id ${id.replace(/[^\w-]/g, '')}</h1>`));
  const changes = await recentChangesFor(deps.changes, incident, deps.clock.now());
  const { token, setCookie } = formToken(event);
  const result = htmlResult(status, incidentPage(deps.config, incident, token, error, changes));
  return setCookie ? { ...result, cookies: [setCookie] } : result;
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
  return async (deps, event) => {
    const id = await pathId(deps, event);
    if (!postedFromOurPage(event)) {
      return showIncident(
        deps,
        event,
        id,
        403,
        'Not done: this form did not come from this incident page (its form token is missing or out of date). Use the buttons below.',
      );
    }
    try {
      await act(deps, id, event);
    } catch (error) {
      const refused = httpErrorOf(error);
      if (!refused || refused.statusCode >= 500) throw error;
      if (refused.statusCode === 404) return showIncident(deps, event, id, 404);
      return showIncident(deps, event, id, refused.statusCode, `Not done: ${refused.message}`);
    }
    return seeOther(`/incidents/${encodeURIComponent(id)}`);
  };
}

export const CONSOLE_ROUTES: Record<string, Page> = {
  'GET /': home,
  'GET /incidents/{id}': async (deps, event) => showIncident(deps, event, await pathId(deps, event)),
  'POST /incidents/{id}/acknowledge': formAction(async (deps, id, event) => {
    const form = parseForm(acknowledgeBodySchema, event);
    return acknowledgeIncident(deps, id, actor(event, form.by));
  }),
  'POST /incidents/{id}/resolve': formAction(async (deps, id, event) => {
    const form = parseForm(resolveBodySchema, event);
    return resolveIncident(deps, id, actor(event, form.by), { note: form.note, refuseIfResolved: true });
  }),
  'POST /incidents/{id}/escalate': formAction(async (deps, id, event) => {
    const form = parseForm(escalateBodySchema, event);
    return escalateNow(deps, id, actor(event, form.by), form.note);
  }),
  'POST /incidents/{id}/notes': formAction(async (deps, id, event) => {
    const form = parseForm(noteBodySchema, event);
    return addNote(deps, id, actor(event, form.by), form.message, form.noteId);
  }),
};

export const webConsole =
  (deps: HandlerDeps, options: ConsoleOptions = {}) =>
  async (event: HttpEvent): Promise<HttpResult> => {
    const route = CONSOLE_ROUTES[event.routeKey];
    if (!route) return htmlResult(404, page('Not found', '<h1>Not found</h1>'));
    try {
      return await route(deps, event, options);
    } catch (error) {
      // A mangled link (a broken cursor, an id no incident can have) is answered in the page the
      // person is looking at, not as JSON.
      const refused = httpErrorOf(error);
      if (!refused || refused.statusCode >= 500) throw error;
      if (refused.statusCode !== 404) return notAValidLink(refused.message);
      return htmlResult(404, page('Not found', `<h1>Not found</h1><p>${escapeHtml(refused.message)}</p>`));
    }
  };

export const makeWebConsoleHandler = (deps: HandlerDeps, options: ConsoleOptions = {}) =>
  middy<HttpEvent, HttpResult>()
    .use(jsonErrors({ logger: deps.logger }))
    .handler(webConsole(deps, options));
