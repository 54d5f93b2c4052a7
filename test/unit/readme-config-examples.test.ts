/**
 * Every JSON config example in the README and in docs/configuration.md is a config the validator
 * accepts: a reader pastes the example's fields into the default klaxon.config.json (whose
 * responder ids the examples use), and Klaxon starts. A doc edit that drifts from the validator
 * fails here.
 */
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../lambdas/core/config.js';

/** The pages whose JSON blocks are config examples (docs/lifecycle-events.md shows events instead). */
const PAGES = ['README.md', 'docs/configuration.md'];

const defaultConfig = JSON.parse(readFileSync('klaxon.config.json', 'utf8')) as Record<string, unknown>;
const examples = PAGES.flatMap((page) =>
  [...readFileSync(page, 'utf8').matchAll(/```json\n([\s\S]*?)```/g)].map((match) => ({
    page,
    example: match[1]?.trim() ?? '',
  })),
);

describe('config examples in the docs', () => {
  it('finds the examples (severity policy, routes and alert policy, on-call schedules)', () => {
    const onConfigurationPage = examples.filter(({ page }) => page === 'docs/configuration.md');
    expect(onConfigurationPage.map(({ example }) => example.split(':')[0])).toEqual(
      expect.arrayContaining(['"severityPolicy"', '"routes"', '"teams"']),
    );
  });

  it.each(examples.map(({ page, example }) => [page, example.split('\n')[0], example]))(
    'accepts the example in %s that starts %s, pasted into the default config',
    (page, _, example) => {
      // An example is a whole config or, more often, the fields to add to one.
      const fields = JSON.parse(example.startsWith('{') ? example : `{${example}}`) as Record<string, unknown>;
      expect(() => parseConfig({ ...defaultConfig, ...fields }, `example in ${page}`)).not.toThrow();
    },
  );
});
