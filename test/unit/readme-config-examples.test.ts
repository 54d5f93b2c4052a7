/**
 * Every JSON config example in README.md is a config the validator accepts: a reader pastes the
 * example's fields into the default klaxon.config.json (whose responder ids the examples use),
 * and Klaxon starts. A README edit that drifts from the validator fails here.
 */
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../lambdas/core/config.js';

const defaultConfig = JSON.parse(readFileSync('klaxon.config.json', 'utf8')) as Record<string, unknown>;
const examples = [...readFileSync('README.md', 'utf8').matchAll(/```json\n([\s\S]*?)```/g)].map(
  (match) => match[1]?.trim() ?? '',
);

describe('README config examples', () => {
  it('finds the examples (routes and alert policy, on-call schedules)', () => {
    expect(examples.length).toBeGreaterThanOrEqual(2);
  });

  it.each(examples.map((example) => [example.split('\n')[0], example]))(
    'accepts the example that starts %s, pasted into the default config',
    (_, example) => {
      // An example is a whole config or, more often, the fields to add to one.
      const fields = JSON.parse(example.startsWith('{') ? example : `{${example}}`) as Record<string, unknown>;
      expect(() => parseConfig({ ...defaultConfig, ...fields }, 'README example')).not.toThrow();
    },
  );
});
