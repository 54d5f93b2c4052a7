/**
 * The local runtime answers only requests addressed to this machine, and from a browser only
 * those a page of this runtime sent. Listening on loopback is not enough: a page on any site can
 * make the browser post a form to localhost, and DNS rebinding points a name the attacker owns
 * at 127.0.0.1 so that their page can also read the answers (the outbox, with every ack link).
 * So the Host must be a loopback name with this port, and an Origin, when the browser sends one,
 * must be such a host too. (On AWS, API Gateway and IAM stand here.)
 */
import type { IncomingMessage } from 'node:http';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]'];

function loopbackHosts(port: number): Set<string> {
  const hosts = LOOPBACK_NAMES.map((name) => `${name}:${port}`);
  // A browser leaves the default port out of Host and Origin.
  return new Set(port === 80 ? [...hosts, ...LOOPBACK_NAMES] : hosts);
}

/** Why the request is refused (403), or undefined when it may be served. */
export function refuseUnlessLoopback(request: IncomingMessage, port: number): string | undefined {
  const allowed = loopbackHosts(port);
  const host = request.headers.host?.toLowerCase() ?? '';
  if (!allowed.has(host)) {
    return `This Klaxon runs on this machine and answers only requests addressed to localhost:${port}, 127.0.0.1:${port} or [::1]:${port}, not to "${host.slice(0, 200)}"`;
  }
  // "null" (a sandboxed frame, or a page that hides where it comes from) is refused too.
  const origin = request.headers.origin?.toLowerCase();
  if (origin !== undefined && !(origin.startsWith('http://') && allowed.has(origin.slice('http://'.length)))) {
    return `Refused: a page from ${origin.slice(0, 200)} sent this request. Use the console at http://localhost:${port}/ or send it from a tool (curl, the klaxon CLI), which sends no Origin`;
  }
  return undefined;
}
