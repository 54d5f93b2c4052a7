/** The pure pieces behind the responder surfaces: decisions, quantiles, the report fold, the post-mortem. */
import { listFilterExpression, monthsBetween } from '../../lambdas/adapters/incident-queries.js';
import type { Incident } from '../../lambdas/core/incident.js';
import { decidePostmortemDone, decideReassign, decideSeverityChange } from '../../lambdas/core/incident-updates.js';
import { renderPostmortem } from '../../lambdas/core/postmortem.js';
import { buildReport, monthRange, quantile } from '../../lambdas/core/reports.js';
import { escapeHtml } from '../../lambdas/handlers/html.js';
import { aLaterRun, anIncident } from '../support/incidents.js';
import { testConfig } from '../support/local.js';

const at = '2026-11-20T10:30:00.000Z';
const config = testConfig();

describe('severity change, reassign and post-mortem done', () => {
  it.each([
    ['open', 'apply'],
    ['acknowledged', 'apply'],
    ['resolved', 'refused'],
  ] as const)('changes severity of a %s incident: %s', (status, kind) => {
    expect(decideSeverityChange(anIncident({ status }), 'SEV2', 'sam', at).kind).toBe(kind);
  });

  it('leaves the severity alone when it is already the one asked for', () => {
    expect(decideSeverityChange(anIncident(), 'SEV1', 'sam', at)).toEqual({
      kind: 'unchanged',
      reason: 'already SEV1',
    });
  });

  it('reassigns while unresolved, once per new assignee', () => {
    expect(decideReassign(config, anIncident(), 'secondary-oncall', 'priya', at)).toMatchObject({
      kind: 'apply',
      changes: { assignee: 'secondary-oncall' },
      entry: { message: 'Reassigned to Sam Secondary by priya' },
    });
    expect(decideReassign(config, anIncident({ assignee: 'eng-manager' }), 'eng-manager', 'p', at).kind).toBe(
      'unchanged',
    );
    expect(decideReassign(config, anIncident({ status: 'resolved' }), 'eng-manager', 'p', at).kind).toBe('refused');
  });

  it('closes the post-mortem only of a resolved incident, and only once', () => {
    expect(decidePostmortemDone(anIncident(), 'p', at).kind).toBe('refused');
    expect(decidePostmortemDone(anIncident({ status: 'resolved' }), 'p', at, 'https://wiki/pm')).toMatchObject({
      kind: 'apply',
      from: ['resolved'],
      changes: { postmortemDoneAt: at, postmortemDoneBy: 'p', postmortemUrl: 'https://wiki/pm' },
    });
    expect(decidePostmortemDone(anIncident({ status: 'resolved', postmortemDoneAt: at }), 'p', at).kind).toBe(
      'unchanged',
    );
  });
});

describe('report arithmetic', () => {
  it.each([
    [[7], 0.9, 7],
    [[1, 2, 3, 4], 0.5, 2.5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9, 9.1],
  ])('quantile(%j, %d) = %d, interpolating between ranks', (values, q, expected) => {
    expect(quantile(values, q)).toBeCloseTo(expected);
  });

  it('has no quantile of nothing', () => {
    expect(quantile([], 0.5)).toBeNull();
  });

  it('reads a month as [first day, first day of the next month) and refuses anything else', () => {
    expect(monthRange('2026-12')).toEqual({ from: '2026-12-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' });
    expect(monthRange('2026-13')).toBeUndefined();
    expect(monthsBetween('2026-10-15T00:00:00.000Z', '2026-12-01T00:00:00.000Z')).toEqual(['2026-10', '2026-11']);
    expect(monthsBetween('2026-12-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z')).toEqual([]);
  });

  it('measures MTTA and MTTR from open, and leaves out drills and incidents outside the range', () => {
    const incidents: Incident[] = [
      anIncident({ id: 'a', openedAt: '2026-11-02T00:00:00.000Z', acknowledgedAt: '2026-11-02T00:02:00.000Z' }),
      anIncident({ id: 'b', openedAt: '2026-11-03T00:00:00.000Z', resolvedAt: '2026-11-03T01:00:00.000Z' }),
      anIncident({ id: 'c', drill: true, openedAt: '2026-11-04T00:00:00.000Z' }),
      anIncident({ id: 'd', openedAt: '2026-12-01T00:00:00.000Z' }),
    ];
    const report = buildReport(incidents, { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' });
    expect(report).toMatchObject({ incidents: 2, drillsLeftOut: 1, escalationRate: 0 });
    expect(report.bySeverity[0]).toMatchObject({
      timeToAcknowledge: { count: 1, medianSeconds: 120, p90Seconds: 120 },
      timeToResolve: { count: 1, medianSeconds: 3600, p90Seconds: 3600 },
    });
  });

  it("times a reopened incident's acknowledgement from the reopen, and leaves out one not answered since", () => {
    const reopened = (id: string, changes: Partial<Incident> = {}) => {
      const incident = anIncident({
        id,
        status: 'resolved',
        openedAt: '2026-11-02T00:00:00.000Z',
        reopenedAt: '2026-11-02T06:00:00.000Z',
        resolvedAt: '2026-11-02T07:00:00.000Z',
        ...changes,
      });
      // Run 2 is the reopen's: it cleared the first episode's acknowledgement.
      return { ...incident, run: aLaterRun(incident, { number: 2, episode: 2, at: '2026-11-02T06:00:00.000Z' }) };
    };
    const incidents: Incident[] = [
      reopened('a', { acknowledgedAt: '2026-11-02T06:03:00.000Z', acknowledgedBy: 'primary-oncall' }),
      reopened('b'),
    ];
    const report = buildReport(incidents, { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' });
    expect(report.bySeverity[0]).toMatchObject({
      timeToAcknowledge: { count: 1, medianSeconds: 180 },
      timeToResolve: { count: 2, medianSeconds: 7 * 3600 },
    });
  });
});

describe('listing filters', () => {
  it('narrows the index key by time and filters severity and service, with open ends DynamoDB accepts', () => {
    expect(listFilterExpression({})).toEqual({ keyCondition: '', filter: undefined, names: {}, values: {} });
    expect(listFilterExpression({ to: at, severity: 'SEV2', service: 'orders' })).toEqual({
      keyCondition: ' AND #sk BETWEEN :from AND :to',
      filter: '#severity = :severity AND #service = :service',
      names: { '#sk': 'gsi1sk', '#severity': 'severity', '#service': 'service' },
      values: { ':from': '0000', ':to': at, ':severity': 'SEV2', ':service': 'orders' },
    });
  });
});

describe('post-mortem draft and console escaping', () => {
  it('keeps a hostile title from breaking the Markdown table, and lists escalations and notes', () => {
    const markdown = renderPostmortem(config, {
      ...anIncident({ title: 'a | b\nc', status: 'resolved', resolvedAt: '2026-11-20T11:15:00.000Z' }),
      timeline: [
        { at: '2026-11-20T10:15:00.000Z', type: 'opened', message: 'Opened by cloudwatch: x' },
        { at: '2026-11-20T10:15:01.000Z', type: 'escalation-started', message: 'internal' },
        { at: '2026-11-20T10:20:00.000Z', type: 'paged', step: 1, message: 'Paged Sam' },
        { at: '2026-11-20T10:25:00.000Z', type: 'note', by: 'sam', message: 'found | it' },
      ],
    });
    expect(markdown).toContain('# Incident Post-Mortem: a \\| b c');
    expect(markdown).toContain('- **Duration**: 1h (2026-11-20 10:15:00 to 2026-11-20 11:15:00 UTC)');
    expect(markdown).toContain('| 2026-11-20 10:20:00 | Escalated (step 2). Paged Sam |');
    expect(markdown).toContain('| 2026-11-20 10:25:00 | Status update by sam: found \\| it |');
    expect(markdown).not.toContain('internal');
    expect(markdown).toContain('- **Post-mortem due**: 2026-11-22 11:15:00 UTC (48h after resolution)');
  });

  it('shows what a reviewer of a flapping incident needs: the failed page, the resolution, the reopen and the re-plan', () => {
    const markdown = renderPostmortem(config, {
      ...anIncident({ status: 'resolved', resolvedAt: '2026-11-20T11:15:00.000Z' }),
      timeline: [
        { at: '2026-11-20T10:15:00.000Z', type: 'opened', message: 'Opened by cloudwatch: x' },
        { at: '2026-11-20T10:15:05.000Z', type: 'page-failed', message: 'Could not page Priya by sms and email' },
        { at: '2026-11-20T10:30:00.000Z', type: 'resolved', message: 'Resolved by alarm' },
        { at: '2026-11-20T10:32:00.000Z', type: 'reopened', message: 'Reopened: the alert came back' },
        { at: '2026-11-20T10:40:00.000Z', type: 'ladder-replanned', message: 'Escalated now by sam' },
      ],
    });
    for (const row of [
      'Could not page Priya',
      'Resolved by alarm',
      'Reopened: the alert came back',
      'Escalated now by sam',
    ]) {
      expect(markdown).toContain(row);
    }
  });

  it('escapes every character HTML gives meaning to', () => {
    expect(escapeHtml(`<script>alert('x')</script> & "y"`)).toBe(
      '&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;',
    );
  });
});
