import { readFileSync } from 'node:fs';
import { parseConfig } from '../../lambdas/core/config.js';
import { resolveSeverity, severityFromDescription } from '../../lambdas/core/severity.js';

const config = parseConfig(JSON.parse(readFileSync('klaxon.config.json', 'utf8')));

describe('severity', () => {
  it.each([
    ['SEV1', 'SEV1'],
    ['sev-2', 'SEV2'],
    ['critical', 'SEV1'],
    ['P0', 'SEV1'],
    ['error', 'SEV2'],
    ['major', 'SEV2'],
    ['Warning', 'SEV3'],
    ['P2', 'SEV3'],
    ['info', 'SEV4'],
    ['low', 'SEV4'],
    ['apocalyptic', undefined],
    ['', undefined],
  ])('reads %j as %s', (text, expected) => {
    expect(resolveSeverity(config, text)).toBe(expected);
  });

  it.each([
    ['severity=SEV1 API 5xx above 5 per minute', 'SEV1'],
    ['checkout latency [SEV2]', 'SEV2'],
    ['severity: critical — payments down', 'SEV1'],
    ['critical: database unreachable', 'SEV1'],
    ['critical path latency [SEV3]', 'SEV3'],
    ['disk filling up', 'SEV3'],
    [null, 'SEV3'],
  ])('finds the severity in the alarm description %j', (description, expected) => {
    expect(severityFromDescription(config, description, 'SEV3').severity).toBe(expected);
  });

  it('says when the default was applied', () => {
    expect(severityFromDescription(config, 'no tag here', 'SEV4')).toEqual({ severity: 'SEV4' });
  });
});
