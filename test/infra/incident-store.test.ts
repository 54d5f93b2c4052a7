import { logicalIdOf, resourceOf, synthKlaxon } from './klaxon-template.js';

const { stack, klaxon, template } = synthKlaxon();

describe('the incident table', () => {
  it('is the one table, keyed pk/sk with the byStatus index the store queries', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'gsi1pk', AttributeType: 'S' },
        { AttributeName: 'gsi1sk', AttributeType: 'S' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byStatus',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
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
