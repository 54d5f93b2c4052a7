import { decideAcknowledge, decideResolve, type Incident } from '../../lambdas/core/incident.js';
import { predatesCurrentRun, staleTrigger } from '../../lambdas/core/intake.js';
import { anIncident } from '../support/incidents.js';

const incident = (changes: Partial<Incident> = {}) => anIncident({ id: '01TEST', ...changes });
const at = '2026-11-20T10:19:00.000Z';

describe('lifecycle', () => {
  it('acknowledges an open incident, only from open', () => {
    expect(decideAcknowledge(incident(), 'primary-oncall', at)).toEqual({
      kind: 'apply',
      from: ['open'],
      changes: { status: 'acknowledged', acknowledgedAt: at, acknowledgedBy: 'primary-oncall' },
      entry: { at, type: 'acknowledged', by: 'primary-oncall', message: 'Acknowledged by primary-oncall' },
    });
  });

  it('keeps the first acknowledgement when acknowledged again', () => {
    const decision = decideAcknowledge(incident({ status: 'acknowledged', acknowledgedBy: 'sam' }), 'priya', at);
    expect(decision).toEqual({ kind: 'unchanged', reason: 'already acknowledged by sam' });
  });

  it('refuses to acknowledge a resolved incident', () => {
    expect(decideAcknowledge(incident({ status: 'resolved' }), 'priya', at).kind).toBe('refused');
  });

  it.each(['open', 'acknowledged'] as const)('resolves from %s and records the duration', (status) => {
    const decision = decideResolve(incident({ status }), 'priya', at, 'rolled back');
    expect(decision).toMatchObject({
      kind: 'apply',
      from: ['open', 'acknowledged'],
      changes: { status: 'resolved', resolvedAt: at, resolvedBy: 'priya' },
      entry: { type: 'resolved', message: 'Resolved by priya: rolled back', durationSeconds: 240 },
    });
  });

  it('refuses to resolve twice, saying when and by whom it was resolved', () => {
    const decision = decideResolve(incident({ status: 'resolved', resolvedAt: at, resolvedBy: 'sam' }), 'priya', at);
    expect(decision).toEqual({ kind: 'refused', reason: `incident #142 was already resolved at ${at} by sam` });
  });
});

describe("a sender's acknowledge or resolve against the run its trigger started", () => {
  const triggered = '2026-11-20T10:15:01.987Z';
  it.each([
    ['older than the trigger', '2026-11-20T10:14:00.000Z', triggered, true],
    ['the same state change', triggered, triggered, false],
    ['newer than the trigger', '2026-11-20T10:16:00.000Z', triggered, false],
    ['without a sender time (an Events v2 resolve)', undefined, triggered, false],
    ['for a trigger that had no sender time', '2026-11-20T10:14:00.000Z', undefined, false],
    ['with an unreadable time', 'yesterday', triggered, false],
  ])('%s: ignored = %s', (_, senderTime, triggerSenderTime, ignored) => {
    const stored = incident(triggerSenderTime ? { triggerSenderTime } : {});
    expect(predatesCurrentRun(senderTime ? { senderTime } : {}, stored)).toBe(ignored);
  });
});

describe('a trigger against the resolve that ended its incident', () => {
  const resolve = '2026-11-20T10:20:00.000Z';
  const resolved = (changes: Partial<Incident> = {}) =>
    incident({ status: 'resolved', resolvedAt: at, resolvedBy: 'alarm:api', resolveSenderTime: resolve, ...changes });
  it.each([
    ['sent before the resolve (a late copy of the ALARM the OK ended)', true, '2026-11-20T10:15:00.000Z', resolved()],
    ["at the resolve's time (the Alertmanager alert the resolve ended)", true, resolve, resolved()],
    ['sent after the resolve (the alarm is back)', false, '2026-11-20T10:25:00.000Z', resolved()],
    ['without a sender time', false, undefined, resolved()],
    [
      'after a resolve without a sender time (a person, an Events v2 resolve)',
      false,
      '2026-11-20T10:15:00.000Z',
      resolved({ resolveSenderTime: undefined }),
    ],
    ['with an unreadable time', false, 'yesterday', resolved()],
    ['against an incident that is open again', false, '2026-11-20T10:15:00.000Z', incident({ status: 'open' })],
  ])('%s: stale = %s', (_, stale, senderTime, stored) => {
    expect(staleTrigger({ action: 'trigger', ...(senderTime ? { senderTime } : {}) }, stored)).toBe(stale);
  });

  // When each was received decides between the two reasons the same alert comes back.
  it.each([
    ['received before the resolve (an inbox chunk retried after it)', '2026-11-20T10:30:00.000Z', true],
    ['received after the resolve (Alertmanager firing it again, Prometheus back)', '2026-11-20T10:40:00.000Z', false],
  ])("at the resolve's time, %s: stale = %s", (_, receivedAt, stale) => {
    const stored = resolved({ resolveReceivedAt: '2026-11-20T10:35:00.000Z' });
    expect(staleTrigger({ action: 'trigger', senderTime: resolve, receivedAt }, stored)).toBe(stale);
  });

  it('never takes a resolve or acknowledge for a stale trigger', () => {
    expect(staleTrigger({ action: 'resolve', senderTime: resolve }, resolved())).toBe(false);
    expect(staleTrigger({ action: 'acknowledge', senderTime: resolve }, resolved())).toBe(false);
  });
});
