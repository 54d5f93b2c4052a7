/**
 * The web console (its pages and forms are in console-routes.ts): a router, and what every
 * console request goes through before its page runs. Module init loads only that; the pages'
 * code (and the core and libraries behind it, luxon with the rotations among them) is loaded by
 * the first request for a page.
 *
 * Every page is for a signed-in responder (console-session.ts): the sign-in authorizer lets no
 * request without a session reach a console route, and every action is recorded as that
 * responder's. Every POST is checked here, before its route runs, for the session's form token
 * (a synchronizer token derived from the session): another site's page can make the browser
 * post a form here, cookie included, but can neither read nor compute the token. A form added
 * later is checked the same way with nothing to remember.
 */
import middy from '@middy/core';
import { responderById } from '../core/config-lookups.js';
import { exportOnFirstUse, loadOnce } from '../core/load-once.js';
import type { ConsoleOptions, Page } from './console-routes.js';
import { carriesFormToken, FORM_TOKEN_FIELD, formTokenOf, signedIn } from './console-session.js';
import type { HandlerDeps } from './deps.js';
import { escapeHtml, htmlResult, page } from './html.js';
import {
  bodyText,
  type HttpEvent,
  type HttpResult,
  httpErrorOf,
  jsonErrors,
  PATH_PARAMETER_NAMES,
  pathParameter,
} from './http.js';
import { HTTP_ROUTES, routeKey } from './routes.js';

const consoleRoutes = loadOnce(() => import('./console-routes.js'));

const CONSOLE_ROUTES: Record<string, Page> = {
  'GET /': exportOnFirstUse(consoleRoutes, 'home'),
  'GET /oncall': exportOnFirstUse(consoleRoutes, 'onCall'),
  'POST /oncall/overrides': exportOnFirstUse(consoleRoutes, 'coverShift'),
  'POST /oncall/overrides/{id}/remove': exportOnFirstUse(consoleRoutes, 'removeCover'),
  'GET /incidents/{id}': exportOnFirstUse(consoleRoutes, 'incident'),
  'POST /incidents/{id}/acknowledge': exportOnFirstUse(consoleRoutes, 'acknowledge'),
  'POST /incidents/{id}/resolve': exportOnFirstUse(consoleRoutes, 'resolve'),
  'POST /incidents/{id}/escalate': exportOnFirstUse(consoleRoutes, 'escalate'),
  'POST /incidents/{id}/notes': exportOnFirstUse(consoleRoutes, 'postNote'),
  'POST /incidents/{id}/take': exportOnFirstUse(consoleRoutes, 'take'),
  'POST /auth/sign-out': exportOnFirstUse(consoleRoutes, 'signOut'),
};

const AUTH_OF_ROUTE = new Map(HTTP_ROUTES.map((route) => [routeKey(route), route.auth]));

/** A console link (a next-page or incident link) that cannot be followed; `why` is shown escaped. */
const notAValidLink = (why: string): HttpResult =>
  htmlResult(400, page('Not a valid link', `<h1>Not a valid link</h1><p>${escapeHtml(why)}</p>`));

/** One field of the posted form, as sent (the form token is checked before the fields are parsed). */
function postedField(event: HttpEvent, name: string): string | null {
  return new URLSearchParams(bodyText(event)).get(name);
}

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
