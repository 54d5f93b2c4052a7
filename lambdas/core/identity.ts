/**
 * Who acted: the person authentication names, never a name the request merely claims. The
 * console's sign-in names a responder (by email); an API or CLI call names an IAM principal,
 * which the config may map to a responder (`iamPrincipals`). A `by` in the request that names
 * someone else is kept only as "on behalf of", beside the authenticated caller.
 */
import type { KlaxonConfig, Responder } from './config.js';

/**
 * Who sent a request, as authentication established it. `local`: the local runtime's management
 * routes, which have no IAM (loopback only, no account): the `by` a caller names is all there is.
 */
export type Caller =
  | { kind: 'responder'; responder: string }
  | { kind: 'principal'; principal: string }
  | { kind: 'local' };

/** Emails compare without case: a mail system treats them so, and Cognito keeps what was typed. */
export function responderByEmail(config: KlaxonConfig, email: string): Responder | undefined {
  const wanted = email.trim().toLowerCase();
  return config.responders.find((responder) => responder.email.toLowerCase() === wanted);
}

/**
 * The caller an IAM principal ARN stands for: the responder whose `iamPrincipals` lists it, else
 * the principal itself, shown without its partition and account (`assumed-role/Oncall/alice`).
 */
export function callerOfPrincipal(config: KlaxonConfig, arn: string): Caller {
  const responder = config.responders.find((candidate) => candidate.iamPrincipals?.includes(arn));
  if (responder) return { kind: 'responder', responder: responder.id };
  return { kind: 'principal', principal: arn.replace(/^arn:[\w-]+:(?:iam|sts)::\d{12}:/, '') };
}

/**
 * The name an action is recorded under. `named` is the request's `by`: the caller's own name (or
 * none) records the caller; another name is recorded as the caller acting on that person's behalf,
 * so the timeline never shows a claim as if it were who acted.
 */
export function actingAs(caller: Caller, named: string | undefined): string {
  if (caller.kind === 'local') return named ?? 'api';
  const self = caller.kind === 'responder' ? caller.responder : caller.principal;
  return named === undefined || named === self ? self : `${self} on behalf of ${named}`;
}
