/**
 * cdk-nag's AwsSolutions pack over the stack and over an embedding app with every default
 * changed: no finding may be left unacknowledged, and every acknowledgement says why.
 */
import { App, type Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildEmbeddingApp } from '../embedding/payments-platform.js';
import { synthKlaxon, withRotations } from './klaxon-template.js';

/** `Rule on construct path` for every finding the pack leaves unacknowledged. */
function unacknowledgedFindings(stack: Stack): string[] {
  const report = new AwsSolutionsChecks().validateScope(stack);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.ruleName} on ${resource.constructPath}`),
  );
}

/** Every acknowledgement under `stack`: construct path, rule, reason. */
function acknowledgements(stack: Stack): { path: string; rule: string; reason: string }[] {
  return stack.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([rule, reason]) => ({
          path: construct.node.path,
          rule,
          reason,
        })),
      ),
  );
}

const embeddingApp = () => buildEmbeddingApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } })).stack;

describe('cdk-nag, AwsSolutions pack', () => {
  it('finds nothing unacknowledged in the Klaxon stack', () => {
    expect(unacknowledgedFindings(synthKlaxon().stack)).toEqual([]);
  });

  it('finds nothing unacknowledged in a stack with rotations and overrides (the handoff schedules)', () => {
    expect(unacknowledgedFindings(synthKlaxon(withRotations()).stack)).toEqual([]);
  });

  it('finds nothing unacknowledged in an app embedding Klaxon with a customer-managed key and tracing', () => {
    expect(unacknowledgedFindings(embeddingApp())).toEqual([]);
  });

  it('fails the stack as soon as a non-compliant construct is added to it', () => {
    const { stack } = synthKlaxon();
    // A queue without a dead-letter queue that accepts plain HTTP: AwsSolutions-SQS3 and SQS4.
    new sqs.Queue(stack, 'CarelessQueue', { enforceSSL: false });
    const findings = unacknowledgedFindings(stack);
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^AwsSolutions-SQS3 on Klaxon\/CarelessQueue\//),
        expect.stringMatching(/^AwsSolutions-SQS4 on Klaxon\/CarelessQueue\//),
      ]),
    );
    expect(findings.every((finding) => finding.includes('/CarelessQueue/'))).toBe(true);
  });

  it.each([
    ['the Klaxon stack', () => synthKlaxon().stack],
    ['the embedding app', embeddingApp],
  ])('acknowledges in %s only with a reason a reviewer can check', (_, build) => {
    const acks = acknowledgements(build());
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.rule).toMatch(/^Annotation::AwsSolutions-/);
      // A sentence, not a placeholder: long enough to say what and why.
      expect(ack.reason.length).toBeGreaterThan(60);
    }
  });

  it('never acknowledges a whole rule on the stack: each one is on the construct it concerns', () => {
    const { stack } = synthKlaxon();
    expect(acknowledgements(stack).filter((ack) => ack.path === stack.node.path)).toEqual([]);
  });
});
