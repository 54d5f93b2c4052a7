import { readFileSync } from 'node:fs';
import { ConfigError, DEFAULT_SEVERITY_POLICY, parseConfig } from '../../lambdas/core/config.js';

// biome-ignore lint/suspicious/noExplicitAny: the tests break arbitrary fields of a parsed JSON config
type Config = Record<string, any>;

const valid = () => JSON.parse(readFileSync('klaxon.config.json', 'utf8')) as Record<string, unknown>;

function problemsOf(raw: unknown): string {
  try {
    parseConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the config was accepted');
}

describe('config', () => {
  it('fills in the runbooks’ severity policy when the file names none', () => {
    const config = parseConfig(valid());
    expect(config.severityPolicy).toEqual(DEFAULT_SEVERITY_POLICY);
    expect(config.severityPolicy.SEV1.ackTarget).toBe('5m');
    expect(config.severityPolicy.SEV1.ladder.map((step) => [step.after, step.notify, step.unless])).toEqual([
      ['0', ['primary'], 'resolved'],
      ['5m', ['primary', 'secondary'], 'acknowledged'],
      ['30m', ['secondary'], 'resolved'],
      ['1h', ['engineering-manager'], 'resolved'],
      ['2h', ['executive'], 'resolved'],
    ]);
    expect(config.severityPolicy.SEV2.statusUpdateEvery).toBe('30m');
    expect(config.severityPolicy.SEV4.ladder).toHaveLength(1);
  });

  it('lets a tier be overridden while the others keep their defaults', () => {
    const sev4 = { ...DEFAULT_SEVERITY_POLICY.SEV4, ackTarget: '8h' };
    const config = parseConfig({ ...valid(), severityPolicy: { SEV4: sev4 } });
    expect(config.severityPolicy.SEV4.ackTarget).toBe('8h');
    expect(config.severityPolicy.SEV1).toEqual(DEFAULT_SEVERITY_POLICY.SEV1);
  });

  it.each([
    [
      'a phone that is not E.164',
      (c: Config) => (c.responders[1].phone = '555-0102'),
      'responders[1].phone: must be an E.164',
    ],
    [
      'a role naming nobody',
      (c: Config) => (c.teams[0].roles.executive = 'ceo'),
      'teams[0].roles.executive: "ceo" is not a responder id',
    ],
    ['a bad email', (c: Config) => (c.responders[0].email = 'nope'), 'responders[0].email: must be an email'],
    ['an unknown field', (c: Config) => (c.pagerSound = 'loud'), 'pagerSound'],
    ['a duplicate responder', (c: Config) => c.responders.push({ ...c.responders[0] }), 'is listed twice'],
    [
      'an unreadable duration',
      (c: Config) => (c.severityPolicy = { SEV3: { ...DEFAULT_SEVERITY_POLICY.SEV3, ackTarget: 'soon' } }),
      'severityPolicy.SEV3.ackTarget: must be a duration',
    ],
    [
      'ladder steps out of order',
      (c: Config) =>
        (c.severityPolicy = {
          SEV3: { ...DEFAULT_SEVERITY_POLICY.SEV3, ladder: [...DEFAULT_SEVERITY_POLICY.SEV3.ladder].reverse() },
        }),
      'severityPolicy.SEV3.ladder: steps must be in time order',
    ],
    [
      'an alias used by two tiers',
      (c: Config) => (c.severityPolicy = { SEV4: { ...DEFAULT_SEVERITY_POLICY.SEV4, aliases: ['critical'] } }),
      'alias "critical" is already used by SEV1',
    ],
  ])('refuses %s, naming the field', (_, breakIt, message) => {
    const raw = valid() as Config;
    breakIt(raw);
    expect(problemsOf(raw)).toContain(message);
  });
});
