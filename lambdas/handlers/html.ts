/**
 * The one HTML shell for every page Klaxon serves to a person (the console, the ack-link pages):
 * the document around a page's body, and the headers every such answer carries. Plain
 * server-rendered pages, no script, nothing loaded from another site.
 */
import type { HttpResult } from './http.js';

/**
 * No script may run and nothing may be loaded (an alarm name can carry <script>: it is escaped,
 * and forbidden anyway); forms post only here; no other site may frame a page (a hidden
 * Acknowledge button under a decoy is clickjacking); nothing is cached (an ack link's token, an
 * incident's details).
 */
export const HTML_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // Not no-referrer: with it a browser sends "Origin: null" on the forms' posts, as any other
  // site's page can; same-origin keeps this origin on them (the local runtime checks it) and tells
  // other sites nothing, not even an ack link's token.
  'referrer-policy': 'same-origin',
};

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const STYLE = `
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#111827;background:#f9fafb}
header{background:#111827;color:#fff;padding:.75rem 1.5rem}header>*{color:#fff;text-decoration:none;font-weight:700}
main{max-width:72rem;margin:0 auto;padding:1rem 1.5rem}
table{border-collapse:collapse;width:100%;background:#fff;margin-bottom:1.5rem}
th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #e5e7eb;vertical-align:top}
.sev{display:inline-block;padding:0 .5rem;border-radius:.25rem;font-weight:700}
.status-open{color:#9b1c1c;font-weight:700}.status-acknowledged{color:#92400e}.status-resolved{color:#065f46}
form{display:inline-block;margin:0 .75rem .75rem 0;vertical-align:top}
button{font:inherit;padding:.35rem .9rem;border-radius:.25rem;border:1px solid #374151;background:#fff;cursor:pointer}
button.primary{background:#1d4ed8;color:#fff;border-color:#1d4ed8}
:focus-visible{outline:3px solid #2563eb;outline-offset:2px}
.alert{border:2px solid #9b1c1c;background:#fef2f2;padding:.5rem 1rem;margin-bottom:1rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;background:#fff;padding:1rem}dt{font-weight:700}
pre{white-space:pre-wrap;margin:0}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;

export interface ShellOptions {
  /**
   * Whether the header links to the console. An ack-link page does not: the person holding the
   * link may have no console sign-in, and the page must make sense on its own on a phone.
   */
  consoleLink?: boolean;
  /** A narrow column, for a page with one paragraph and one button. */
  narrow?: boolean;
}

/** A whole document around `body` (HTML the caller has escaped); `title` is escaped here. */
export function page(title: string, body: string, options: ShellOptions = {}): string {
  const brand = options.consoleLink === false ? '<span>Klaxon</span>' : '<a href="/">Klaxon</a>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · Klaxon</title>
<style>${STYLE}</style>
</head>
<body>
<header>${brand}</header>
<main${options.narrow ? ' style="max-width:36rem"' : ''}>
${body}
</main>
</body>
</html>`;
}

/** An HTML answer with the headers every page carries. */
export function htmlResult(statusCode: number, document: string): HttpResult {
  return { statusCode, headers: { ...HTML_HEADERS }, body: document };
}
