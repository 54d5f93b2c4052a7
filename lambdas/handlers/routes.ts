/**
 * Every HTTP route, which function serves it and how callers authenticate: the CDK HTTP API and
 * the local gateway are both built from this list, so the two cannot drift apart.
 */
export type FunctionName = 'intake' | 'incidents-api';

export interface HttpRoute {
  method: 'GET' | 'POST';
  path: string;
  function: FunctionName;
  /** `iam`: management routes, signed by the caller's AWS credentials; `sender`: alert senders, who authenticate in the payload. */
  auth: 'iam' | 'sender';
}

export const HTTP_ROUTES: readonly HttpRoute[] = [
  { method: 'POST', path: '/v1/alerts/events', function: 'intake', auth: 'sender' },
  { method: 'POST', path: '/v2/enqueue', function: 'intake', auth: 'sender' },
  { method: 'GET', path: '/v1/incidents', function: 'incidents-api', auth: 'iam' },
  { method: 'GET', path: '/v1/incidents/{id}', function: 'incidents-api', auth: 'iam' },
  { method: 'POST', path: '/v1/incidents/{id}/acknowledge', function: 'incidents-api', auth: 'iam' },
  { method: 'POST', path: '/v1/incidents/{id}/resolve', function: 'incidents-api', auth: 'iam' },
  // A responder's browser has no AWS credentials: the signed token in the path is the authentication.
  { method: 'GET', path: '/v1/ack/{token}', function: 'incidents-api', auth: 'sender' },
  { method: 'POST', path: '/v1/ack/{token}', function: 'incidents-api', auth: 'sender' },
  { method: 'GET', path: '/v1/oncall', function: 'incidents-api', auth: 'iam' },
  { method: 'POST', path: '/v1/drills', function: 'incidents-api', auth: 'iam' },
];

export const routeKey = (route: Pick<HttpRoute, 'method' | 'path'>) => `${route.method} ${route.path}`;
