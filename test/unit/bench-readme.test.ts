/**
 * bench/README.md explains every figure `npm run bench` writes: a reader of latest.json finds each
 * figure in the first column of its table, with what it is and its target (or "reference"). A
 * figure added to the bench without a row fails here.
 */
import { readFileSync } from 'node:fs';

const results = JSON.parse(readFileSync('bench/results/latest.json', 'utf8')) as Record<string, unknown>;
const readme = readFileSync('bench/README.md', 'utf8');

const header = '| figure in `latest.json` |';
const rows = readme
  .slice(readme.indexOf(header))
  .split('\n')
  .slice(2)
  .filter((line) => line.startsWith('| '))
  .map((line) => line.split(' | ').map((cell) => cell.replace(/^\| |\s*\|$/g, '').trim()));

/** The figures a row names, as paths whose `<placeholder>` segments match any key. */
const named = rows.flatMap(([figures = '']) => [...figures.matchAll(/`([^`]+)`/g)].map((m) => (m[1] ?? '').split('.')));

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Top-level figures and, inside a group, each of its figures; methods describe, they are not figures. */
const figures = Object.entries(results).flatMap(([key, value]) =>
  isObject(value) && key !== 'machine'
    ? Object.keys(value)
        .filter((inner) => !inner.endsWith('method'))
        .map((inner) => [key, inner])
    : key.endsWith('method')
      ? []
      : [[key]],
);

/** Documented at some depth: one path is a prefix of the other, a `<placeholder>` matching any key. */
const covers = (name: string[], figure: string[]) =>
  figure.slice(0, name.length).every((segment, index) => name[index] === segment || name[index]?.startsWith('<'));

describe('bench/README.md', () => {
  it('has a row for every figure in bench/results/latest.json', () => {
    expect(figures.length).toBeGreaterThan(20);
    const undocumented = figures
      .filter((figure) => !named.some((name) => covers(name, figure)))
      .map((f) => f.join('.'));
    expect(undocumented).toEqual([]);
  });

  it('gives each row what the figure is and a target, or says it is a reference', () => {
    expect(rows.length).toBeGreaterThan(10);
    for (const [figure, what, target] of rows) {
      expect({ figure, what: (what ?? '').length > 20, target: (target ?? '').length > 0 }).toEqual({
        figure,
        what: true,
        target: true,
      });
    }
  });
});
