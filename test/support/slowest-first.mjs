// Jest orders test files by their timings from earlier runs, and by file size when it has none (a
// fresh clone, CI). Size says little here: the slowest files are small ones that synthesize the
// CDK app or write 10,000 incidents, and started last they keep one worker busy long after the
// other has finished. These go first; the rest keep Jest's order.
import TestSequencer from '@jest/test-sequencer';

const SLOWEST_FIRST = [
  'test/infra/config.test.ts',
  'test/e2e/console.test.ts',
  'test/infra/bundles.test.ts',
  'test/e2e/alertmanager.test.ts',
  'test/e2e/reports.test.ts',
  'test/e2e/thousand-deliveries.test.ts',
  'test/infra/stack.test.ts',
  'test/infra/embedding.test.ts',
];

const rank = (test) => {
  const at = SLOWEST_FIRST.findIndex((path) => test.path.endsWith(path));
  return at === -1 ? SLOWEST_FIRST.length : at;
};

export default class SlowestFirst extends TestSequencer {
  async sort(tests) {
    const ordered = await super.sort(tests);
    return [...ordered].sort((a, b) => rank(a) - rank(b));
  }
}
