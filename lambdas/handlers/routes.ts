/**
 * Every HTTP route, which function serves it and how callers authenticate: the CDK HTTP API and
 * the local gateway are both built from this list, so the two cannot drift apart.
 */
export type FunctionName = 'intake' | 'incidents-api' | 'web-console';

export interface HttpRoute {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  function: FunctionName;
  /**
   * `iam`: management routes, signed by the caller's AWS credentials; `session`: console pages
   * and forms, for a person signed in (the session cookie, checked by the sign-in authorizer);
   * `sign-in`: the two steps that start and finish a sign-in, which only redirect and set the
   * cookie; `sender`: alert senders and ack links, who authenticate in the payload or the path.
   */
  auth: 'iam' | 'session' | 'sign-in' | 'sender';
}

export const HTTP_ROUTES: readonly HttpRoute[] = [
  { method: 'POST', path: '/v1/alerts/events', function: 'intake', auth: 'sender' },
  { method: 'POST', path: '/v2/enqueue', function: 'intake', auth: 'sender' },
  { method: 'POST', path: '/v2/change/enqueue', function: 'intake', auth: 'sender' },
  { method: 'POST', path: '/v1/alerts/cloudwatch', function: 'intake', auth: 'sender' },
  { method: 'POST', path: '/v1/alerts/alertmanager', function: 'intake', auth: 'sender' },
  { method: 'POST', path: '/v1/services/{name}/maintenance', function: 'intake', auth: 'iam' },
  { method: 'GET', path: '/v1/services/{name}/maintenance', function: 'intake', auth: 'iam' },
  // A ping carries an integration key; GET too, for `curl` in a crontab.
  { method: 'POST', path: '/v1/heartbeats/{monitor}', function: 'intake', auth: 'sender' },
  { method: 'GET', path: '/v1/heartbeats/{monitor}', function: 'intake', auth: 'sender' },
  { method: 'GET', path: '/v1/heartbeats', function: 'intake', auth: 'iam' },
  { method: 'POST', path: '/v1/heartbeats', function: 'intake', auth: 'iam' },
  { method: 'DELETE', path: '/v1/heartbeats/{monitor}', function: 'intake', auth: 'iam' },
  { method: 'GET', path: '/v1/incidents', function: 'incidents-api', auth: 'iam' },
  { method: 'GET', path: '/v1/incidents/{id}', function: 'incidents-api', auth: 'iam' },
  { method: 'POST', path: '/v1/incidents/{id}/acknowledge', function: 'incidents-api', auth: 'iam' },
  { method: 'POST', path: '/v1/incidents/{id}/resolve', function: 'incidents-api', auth: 'iam' },
  { method: 'POST', path: '/v1/incidents/{id}/notes', function: 'incidents-api', auth: 'iam' },
  { method: 'POST', path: '/v1/incidents/{id}/severity', function: 'incidents-api', auth: 'iam' },
  { method: 'POST', path: '/v1/incidents/{id}/reassign', function: 'incidents-api', auth: 'iam' },
  { method: 'POST', path: '/v1/incidents/{id}/escalate', function: 'incidents-api', auth: 'iam' },
  { method: 'POST', path: '/v1/incidents/{id}/take', function: 'incidents-api', auth: 'iam' },
  { method: 'GET', path: '/v1/incidents/{id}/postmortem', function: 'incidents-api', auth: 'iam' },
  { method: 'POST', path: '/v1/incidents/{id}/postmortem', function: 'incidents-api', auth: 'iam' },
  { method: 'GET', path: '/v1/oncall', function: 'incidents-api', auth: 'iam' },
  { method: 'GET', path: '/v1/overrides', function: 'incidents-api', auth: 'iam' },
  { method: 'POST', path: '/v1/overrides', function: 'incidents-api', auth: 'iam' },
  { method: 'DELETE', path: '/v1/overrides/{id}', function: 'incidents-api', auth: 'iam' },
  { method: 'POST', path: '/v1/drills', function: 'incidents-api', auth: 'iam' },
  { method: 'GET', path: '/v1/reports', function: 'incidents-api', auth: 'iam' },
  { method: 'GET', path: '/v1/openapi.json', function: 'incidents-api', auth: 'iam' },
  { method: 'GET', path: '/', function: 'web-console', auth: 'session' },
  { method: 'GET', path: '/incidents/{id}', function: 'web-console', auth: 'session' },
  { method: 'GET', path: '/oncall', function: 'web-console', auth: 'session' },
  { method: 'POST', path: '/oncall/overrides', function: 'web-console', auth: 'session' },
  { method: 'POST', path: '/oncall/overrides/{id}/remove', function: 'web-console', auth: 'session' },
  { method: 'POST', path: '/incidents/{id}/acknowledge', function: 'web-console', auth: 'session' },
  { method: 'POST', path: '/incidents/{id}/resolve', function: 'web-console', auth: 'session' },
  { method: 'POST', path: '/incidents/{id}/notes', function: 'web-console', auth: 'session' },
  { method: 'POST', path: '/incidents/{id}/escalate', function: 'web-console', auth: 'session' },
  { method: 'POST', path: '/incidents/{id}/take', function: 'web-console', auth: 'session' },
  { method: 'POST', path: '/auth/sign-out', function: 'web-console', auth: 'session' },
  // A browser that has no session yet: these start a sign-in and finish it (set the cookie).
  { method: 'GET', path: '/auth/sign-in', function: 'web-console', auth: 'sign-in' },
  { method: 'GET', path: '/auth/callback', function: 'web-console', auth: 'sign-in' },
  // A responder's browser has no AWS credentials: the signed token in the path is the authentication.
  { method: 'GET', path: '/v1/ack/{token}', function: 'incidents-api', auth: 'sender' },
  { method: 'POST', path: '/v1/ack/{token}', function: 'incidents-api', auth: 'sender' },
];

export const routeKey = (route: Pick<HttpRoute, 'method' | 'path'>) => `${route.method} ${route.path}`;

/**
 * Routes grouped by who calls them, each group throttled on its own (lib/http-api.ts), so a flood
 * on one (anyone can post junk to an alert route or an ack link) cannot starve the others.
 */
export const ROUTE_GROUPS = ['alert-intake', 'ack-links', 'console', 'management'] as const;
export type RouteGroup = (typeof ROUTE_GROUPS)[number];

/**
 * A route's group, from what the route table already says (its function and its callers), so a
 * new route lands in its group with nothing else to edit: an alert sender's route on intake is
 * alert intake; any other unauthenticated route carries its own token (ack links).
 */
export function routeGroup(route: Pick<HttpRoute, 'function' | 'auth'>): RouteGroup {
  if (route.auth === 'sender') return route.function === 'intake' ? 'alert-intake' : 'ack-links';
  return route.function === 'web-console' ? 'console' : 'management';
}

const GROUP_BY_ROUTE_KEY: ReadonlyMap<string, RouteGroup> = new Map(
  HTTP_ROUTES.map((route) => [routeKey(route), routeGroup(route)]),
);

/** The group of an API Gateway `routeKey` (`POST /v2/enqueue`); undefined for a key not in the table. */
export const groupOfRouteKey = (key: string): RouteGroup | undefined => GROUP_BY_ROUTE_KEY.get(key);
