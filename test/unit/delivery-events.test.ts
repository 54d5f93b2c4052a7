import { CONTEXT_MAX_ENTRIES } from '../../lambdas/adapters/sms-voice-send.js';
import { deliveryFailureOf, pageContext } from '../../lambdas/core/delivery-events.js';
import type { PageRef } from '../../lambdas/core/ports.js';

const page: PageRef = {
  incidentId: '01M944WHSCQ18GMW5BWC8CM5QC',
  run: 2,
  step: 1,
  responder: 'secondary-oncall',
  fallbackFor: 'primary-oncall',
  channels: ['sms', 'email', 'voice'],
};
const record = (eventType: string, extra: Record<string, unknown> = {}) => ({
  eventType,
  messageId: 'm-1',
  isFinal: true,
  messageStatusDescription: 'Carrier is unreachable',
  context: pageContext(page),
  ...extra,
});

describe('which End User Messaging events make a page fall back', () => {
  it('a final SMS failure names the page its context carries, whole', () => {
    expect(deliveryFailureOf(record('TEXT_CARRIER_UNREACHABLE'))).toEqual({
      page,
      channel: 'sms',
      messageId: 'm-1',
      reason: 'TEXT_CARRIER_UNREACHABLE: Carrier is unreachable',
    });
  });

  it("a fallback page's reference fits End User Messaging's Context (at most five entries)", () => {
    expect(Object.keys(pageContext(page)).length).toBeLessThanOrEqual(CONTEXT_MAX_ENTRIES);
  });

  it('a failed call is a voice failure', () => {
    expect(deliveryFailureOf(record('VOICE_FAILED'))).toEqual(expect.objectContaining({ channel: 'voice' }));
  });

  it.each([
    ['a delivered SMS', record('TEXT_DELIVERED'), 'TEXT_DELIVERED is no delivery failure'],
    ['an unanswered call', record('VOICE_NO_ANSWER'), 'VOICE_NO_ANSWER is no delivery failure'],
    ['a failure End User Messaging still retries', record('TEXT_UNREACHABLE', { isFinal: false }), 'not final'],
    ['a message without context', record('TEXT_BLOCKED', { context: undefined }), 'was no ladder page'],
    ['a context of some other sender', record('TEXT_BLOCKED', { context: { account: 'bar' } }), 'was no ladder page'],
    [
      'a context whose step names no run',
      record('TEXT_BLOCKED', { context: { ...pageContext(page), step: '1' } }),
      'was no ladder page',
    ],
    [
      'a context with a channel Klaxon has not',
      record('TEXT_BLOCKED', { context: { ...pageContext(page), channels: 'fax' } }),
      'was no ladder page',
    ],
  ])('%s asks nothing of Klaxon', (_what, event, why) => {
    expect(deliveryFailureOf(event)).toEqual({ ignored: expect.stringContaining(why) });
  });
});
