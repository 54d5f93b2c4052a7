/** `GET /v1/oncall`: who fills each role now (rotations and overrides applied), until when, and who is next. */
import { ROLES } from '../core/config.js';
import { whoIsOnCall } from '../core/rotations.js';
import type { HandlerDeps } from './deps.js';
import { type HttpEvent, type HttpResult, json } from './http.js';

type Route = (deps: HandlerDeps, event: HttpEvent) => Promise<HttpResult>;

const onCall: Route = async (deps) => {
  const at = deps.clock.now();
  return json(200, { at: at.toISOString(), roles: whoIsOnCall(deps.config, ROLES, at) });
};

export const ONCALL_ROUTES: Record<string, Route> = {
  'GET /v1/oncall': onCall,
};
