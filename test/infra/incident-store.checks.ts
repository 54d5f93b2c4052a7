import { Match } from 'aws-cdk-lib/assertions';
import { createTableInput } from '../../lambdas/adapters/table-layout.js';
import { logicalIdOf, resourceOf, sharedKlaxon } from './klaxon-template.js';

const { stack, klaxon, template } = sharedKlaxon();

describe('the incident table', () => {
  it('is the one table, with the very keys and indexes the local runtime creates in dynalite', () => {
    const local = createTableInput('klaxon');
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: local.KeySchema,
      AttributeDefinitions: Match.arrayWith(local.AttributeDefinitions),
      GlobalSecondaryIndexes: local.GlobalSecondaryIndexes,
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    expect(local.GlobalSecondaryIndexes.map((index) => index.IndexName)).toEqual(['byStatus', 'byOpenedMonth']);
  });

  it('survives mistakes: point-in-time recovery, deletion protection, retained when the stack goes', () => {
    const table = resourceOf(template, logicalIdOf(stack, klaxon.store.table));
    expect(table.Properties).toMatchObject({
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
  });

  it('is encrypted with the AWS-managed key unless a customer-managed one is given (see embedding.test.ts)', () => {
    const table = resourceOf(template, logicalIdOf(stack, klaxon.store.table));
    // SSEEnabled without a key is DynamoDB's "AWS managed key" (aws/dynamodb), not the AWS-owned default.
    expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true });
  });
});
