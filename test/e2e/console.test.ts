/**
 * The web console in a real browser (the Chromium an npm package ships, see
 * test/support/browser.ts, driven by playwright-core): sign in as a responder on the local
 * sign-in page, acknowledge, take and resolve an incident by clicking, and see the timeline name
 * that responder. The screenshot is kept in test-artifacts/ for a person to look at.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import type { LocalRuntime } from '../../local/runtime.js';
import { launchChromium } from '../support/browser.js';
import {
  call,
  eventually,
  incident,
  LOCAL_ROUTING_KEY,
  openIncident,
  outbox,
  pagesIn,
  signIn,
  startTestRuntime,
  storeManyIncidents,
} from '../support/local.js';

const HOSTILE_TITLE = 'orders <script>window.pwned=1</script> & "5xx"';

describe('web console', () => {
  let runtime: LocalRuntime;
  let browser: BrowserContext;
  let profile: string;

  beforeAll(async () => {
    runtime = await startTestRuntime();
    profile = mkdtempSync(join(tmpdir(), 'klaxon-chromium-'));
    browser = await launchChromium(profile, { viewport: { width: 1100, height: 900 } });
    // Signed in once for the whole profile: the session cookie is shared by every tab.
    const tab = await browser.newPage();
    await tab.goto(runtime.url);
    await tab.getByRole('link', { name: 'Sign in' }).click();
    await tab.getByRole('button', { name: 'Sam Secondary (secondary-oncall)' }).click();
    await tab.getByRole('heading', { name: 'Open incidents' }).waitFor();
    await tab.close();
    for (const [key, severity, summary] of [
      ['console-1', 'critical', HOSTILE_TITLE],
      ['console-2', 'warning', 'Search latency above 800 ms'],
    ] as const) {
      await call(runtime, 'POST', '/v1/alerts/events', {
        routing_key: LOCAL_ROUTING_KEY,
        event_action: 'trigger',
        dedup_key: key,
        payload: { summary, source: 'console-test', severity, group: 'orders' },
      });
    }
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(profile, { recursive: true, force: true });
    await runtime.stop();
  });

  it('acknowledges, takes and resolves an incident by clicking, each recorded as the signed-in responder', async () => {
    const tab = await browser.newPage();
    await tab.goto(runtime.url);
    await tab.getByRole('heading', { name: 'Open incidents' }).waitFor();
    // The hostile alarm name is shown as text, never run.
    await tab.getByRole('link', { name: HOSTILE_TITLE }).click();
    expect(await tab.evaluate(() => (globalThis as { pwned?: number }).pwned)).toBeUndefined();
    await expect(tab.getByTestId('status').textContent()).resolves.toBe('open');

    await expect(tab.getByTestId('signed-in').textContent()).resolves.toBe(
      'Signed in as Sam Secondary (secondary-oncall)',
    );
    await tab.getByRole('button', { name: 'Acknowledge' }).click();
    await tab.getByRole('cell', { name: 'Acknowledged by secondary-oncall' }).waitFor();
    await expect(tab.getByTestId('status').textContent()).resolves.toBe('acknowledged');
    expect(await tab.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);

    await tab.getByRole('textbox', { name: 'Update' }).fill('Rolling back the 10:02 deploy');
    await tab.getByRole('button', { name: 'Add note' }).click();
    await tab.getByRole('cell', { name: 'Rolling back the 10:02 deploy' }).waitFor();

    await tab.getByRole('button', { name: 'Take it' }).click();
    await tab.getByRole('cell', { name: 'Taken by Sam Secondary (secondary-oncall): assigned to them' }).waitFor();
    await expect(tab.getByTestId('assignee').textContent()).resolves.toBe('Sam Secondary (secondary-oncall)');
    expect(await tab.getByRole('button', { name: 'Take it' }).count()).toBe(0);

    mkdirSync('test-artifacts', { recursive: true });
    await tab.screenshot({ path: 'test-artifacts/console-incident.png', fullPage: true });
    await tab.getByRole('textbox', { name: 'Resolution note' }).fill('Rolled back');
    await tab.getByRole('button', { name: 'Resolve' }).click();
    await tab.getByRole('cell', { name: 'Resolved by secondary-oncall: Rolled back' }).waitFor();
    const id = new URL(tab.url()).pathname.split('/').pop() ?? '';
    await expect(incident(runtime, id)).resolves.toMatchObject({
      status: 'resolved',
      acknowledgedBy: 'secondary-oncall',
      assignee: 'secondary-oncall',
      resolvedBy: 'secondary-oncall',
    });
    await tab.goto(runtime.url);
    await tab.getByRole('heading', { name: 'On call' }).waitFor();
    expect(await tab.locator('script').count()).toBe(0);
    await tab.screenshot({ path: 'test-artifacts/console-home.png', fullPage: true });
  });

  it('takes an open incident in one click: assigned and acknowledged together', async () => {
    const { id } = await openIncident(runtime, 'Queue depth above 10k', 'critical');
    const tab = await browser.newPage();
    await tab.goto(`${runtime.url}/incidents/${id}`);
    await tab.getByRole('button', { name: 'Take it' }).click();
    await tab
      .getByRole('cell', { name: /^Taken by Sam Secondary \(secondary-oncall\): assigned to them and acknowledged$/ })
      .waitFor();
    await expect(tab.getByTestId('status').textContent()).resolves.toBe('acknowledged');
    await expect(incident(runtime, id)).resolves.toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'secondary-oncall',
      assignee: 'secondary-oncall',
    });
  });

  it('escalates now with the optional "Why" left empty', async () => {
    const { id } = await openIncident(runtime, 'Checkout error rate above 5%', 'critical');
    const tab = await browser.newPage();
    await tab.goto(`${runtime.url}/incidents/${id}`);
    await expect(tab.getByRole('textbox', { name: 'Why' }).inputValue()).resolves.toBe('');
    await tab.getByRole('button', { name: 'Escalate now' }).click();
    await tab.getByRole('cell', { name: /^Escalated now by secondary-oncall\./ }).waitFor();
    expect(await tab.getByRole('alert').count()).toBe(0);
    await expect(incident(runtime, id)).resolves.toMatchObject({ run: { number: 2, cause: 'escalated' } });
  });

  it('explains a refused action on the page instead of failing silently', async () => {
    const list = await call<{ incidents: { id: string; title: string }[] }>(
      runtime,
      'GET',
      '/v1/incidents?status=open',
    );
    const id = list.body.incidents.find((item) => item.title.startsWith('Search'))?.id ?? '';
    const tab = await browser.newPage();
    await tab.goto(`${runtime.url}/incidents/${id}`);
    await call(runtime, 'POST', `/v1/incidents/${id}/resolve`, { by: 'secondary-oncall' });
    await tab.getByRole('button', { name: 'Resolve' }).click(); // the page still offers it; the incident moved on
    await expect(tab.getByRole('alert').textContent()).resolves.toContain('already resolved');
  });

  it("does nothing when another site's page posts a console form", async () => {
    const { id } = await openIncident(runtime, 'Target of a cross-site form', 'critical');
    const elsewhere = createServer((_, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(
        `<form method="post" action="${runtime.url}/incidents/${id}/acknowledge"><input type="hidden" name="by" value="primary-oncall"><button>Claim your prize</button></form>`,
      );
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    try {
      const tab = await browser.newPage();
      await tab.goto(`http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/`);
      await tab.getByRole('button', { name: 'Claim your prize' }).click();
      await tab.getByText(/a page from http:\/\/127\.0\.0\.1:\d+ sent this request/).waitFor();
      await expect(incident(runtime, id)).resolves.toMatchObject({ status: 'open' });
    } finally {
      elsewhere.close();
    }
  });

  it("acknowledges from the page's ack link: the confirm page's button posts from this origin", async () => {
    const { id } = await openIncident(runtime, 'Ack link in the browser', 'critical');
    const page = await eventually(
      async () => pagesIn(await outbox(runtime)).find((message) => message.incidentId === id),
      'the page with its ack link',
    );
    const link = page.sms?.match(/Ack: (\S+)$/)?.[1] ?? '';
    const tab = await browser.newPage();
    await tab.goto(link);
    await tab.getByRole('button', { name: 'Acknowledge' }).click();
    await tab.getByRole('heading', { name: 'Acknowledged' }).waitFor();
    await expect(incident(runtime, id)).resolves.toMatchObject({ status: 'acknowledged' });
  });

  it('signs out: the session cookie is gone and the console asks for a sign-in again', async () => {
    const tab = await browser.newPage();
    await tab.goto(runtime.url);
    await tab.getByRole('button', { name: 'Sign out' }).click();
    await tab.getByRole('heading', { name: 'Sign in' }).waitFor();
    const home = await tab.goto(runtime.url);
    expect(home?.status()).toBe(401);
    await tab.getByRole('heading', { name: 'Not signed in' }).waitFor();
  });

  it('says when more unresolved incidents exist than the home page shows, and links to the next page', async () => {
    const crowded = await startTestRuntime();
    try {
      await storeManyIncidents(crowded, 105, { severity: 'SEV4', service: 'crowded', prefix: 'console-crowd' });
      const tab = await browser.newPage();
      // Another runtime, with its own session key (a browser's cookies do not tell ports apart).
      await tab.goto(`${crowded.url}/auth/sign-in`);
      await tab.getByRole('button', { name: 'Priya Primary (primary-oncall)' }).click();
      await tab.getByRole('heading', { name: 'Open incidents' }).waitFor();
      await tab.getByRole('heading', { name: 'Open incidents' }).waitFor();
      const shown = await tab.locator('table').first().locator('tbody a').allTextContents();
      expect(shown).toHaveLength(100);
      await expect(tab.getByTestId('more').textContent()).resolves.toContain('Not every unresolved incident is shown');
      expect(await tab.getByRole('link', { name: 'Next page of acknowledged incidents' }).count()).toBe(0);

      await tab.getByRole('link', { name: 'Next page of open incidents' }).click();
      await tab.getByRole('heading', { name: 'Open incidents, continued' }).waitFor();
      const rest = await tab.locator('table').first().locator('tbody a').allTextContents();
      expect(rest).toHaveLength(5);
      await tab.getByText('That is the last of the open incidents.').waitFor();
      // Together the two pages hold every open incident, once each.
      expect(new Set([...shown, ...rest]).size).toBe(105);

      const { cookie } = await signIn(crowded, 'primary-oncall');
      const forged = await fetch(`${crowded.url}/?status=open&cursor=not-a-cursor`, { headers: { cookie } });
      expect(forged.status).toBe(400);
      await expect(forged.text()).resolves.toContain('not one this API issued');
    } finally {
      await crowded.stop();
    }
  }, 60_000);

  it('covers a shift from the On call page, and removes the cover', async () => {
    const tab = await browser.newPage();
    // Signed in again: the sign-out test ended the profile's session.
    await tab.goto(`${runtime.url}/auth/sign-in`);
    await tab.getByRole('button', { name: 'Sam Secondary (secondary-oncall)' }).click();
    await tab.getByRole('heading', { name: 'Open incidents' }).waitFor();
    await tab.getByRole('link', { name: 'The next 14 days, and cover a shift' }).click();
    await tab.getByRole('heading', { name: 'Team ops' }).waitFor();
    const primary = tab.locator('tr[data-team="ops"][data-role="primary"]').first();
    expect(await primary.getByRole('cell', { name: 'Priya Primary' }).count()).toBe(1);
    await primary.getByText('Cover this shift').click();
    await primary.getByLabel('Covered by').selectOption('eng-manager');
    await primary.getByLabel('Reason').fill('Priya is on a flight');
    await primary.getByRole('button', { name: 'Cover' }).click();
    await tab.getByRole('cell', { name: 'Priya is on a flight' }).waitFor();
    const onCall = await call<{ roles: { role: string; now: string; override?: string }[] }>(
      runtime,
      'GET',
      '/v1/oncall',
    );
    expect(onCall.body.roles.find((role) => role.role === 'primary')).toMatchObject({ now: 'eng-manager' });
    expect(await tab.locator('tr[data-team="ops"][data-role="primary"]').first().textContent()).toContain(
      'Morgan Manager',
    );

    await tab.getByRole('button', { name: 'Remove' }).click();
    await tab.getByText('None.').waitFor();
    const after = await call<{ roles: { role: string; now: string }[] }>(runtime, 'GET', '/v1/oncall');
    expect(after.body.roles.find((role) => role.role === 'primary')?.now).toBe('primary-oncall');
    await tab.close();
  });
});
