/**
 * The single DynamoDB table: incidents, their timelines and dedup records. Key names come from
 * lambdas/adapters/table-layout.ts, which the store adapter and the local runtime use too.
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { GLOBAL_INDEXES, STATUS_INDEX, TABLE_KEYS, TTL_ATTRIBUTE } from '../lambdas/adapters/table-layout.js';

/** The item-level actions a Klaxon function may be granted; nothing table-level (no Scan, no DescribeTable). */
export const ITEM_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
] as const;
export type ItemAction = (typeof ITEM_ACTIONS)[number];

export interface IncidentStoreProps {
  /**
   * What happens to the table when it leaves the stack. The table is the incident record: keep it.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * The customer-managed KMS key the table is encrypted with. Without one, DynamoDB encrypts with
   * the AWS-managed key `aws/dynamodb` (visible in KMS and CloudTrail, no key to manage).
   * @default the AWS-managed key
   */
  readonly encryptionKey?: kms.IKey;
}

export class IncidentStore extends Construct {
  readonly table: dynamodb.Table;
  /** ARN of the `byStatus` index (open incidents, newest first). */
  readonly statusIndexArn: string;
  /** ARNs of every index (by status, by month opened): what Query is granted on. */
  readonly indexArns: string[];
  /** The customer-managed key, when there is one: readers and writers need it too. */
  readonly encryptionKey?: kms.IKey;

  constructor(scope: Construct, id: string, props: IncidentStoreProps = {}) {
    super(scope, id);
    const string = dynamodb.AttributeType.STRING;
    this.encryptionKey = props.encryptionKey;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_KEYS.partitionKey, type: string },
      sortKey: { name: TABLE_KEYS.sortKey, type: string },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      // DynamoDB deletes an item once its `expiresAt` (epoch seconds) has passed; items without it stay.
      timeToLiveAttribute: TTL_ATTRIBUTE,
      ...(props.encryptionKey
        ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: props.encryptionKey }
        : { encryption: dynamodb.TableEncryption.AWS_MANAGED }),
    });
    for (const index of GLOBAL_INDEXES) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: string },
        sortKey: { name: index.sortKey, type: string },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
    this.indexArns = GLOBAL_INDEXES.map((index) => `${this.table.tableArn}/index/${index.name}`);
    this.statusIndexArn = `${this.table.tableArn}/index/${STATUS_INDEX.name}`;
  }

  /**
   * Grants exactly these item actions on the table and its indexes. Written by hand rather than
   * with `table.grantReadWriteData`, which adds Scan, BatchWrite, ConditionCheck, DescribeTable
   * and an `index/*` wildcard that no Klaxon function needs.
   */
  grantItemActions(grantee: iam.IGrantable, actions: readonly ItemAction[]): iam.Grant {
    this.grantKeyUse(grantee, actions);
    // Item actions act on the table; only Query reads an index.
    const grant = iam.Grant.addToPrincipal({ grantee, actions: [...actions], resourceArns: [this.table.tableArn] });
    if (!actions.includes('dynamodb:Query')) return grant;
    return grant.combine(
      iam.Grant.addToPrincipal({ grantee, actions: ['dynamodb:Query'], resourceArns: this.indexArns }),
    );
  }

  /**
   * With a customer-managed key, DynamoDB uses it on the caller's behalf: readers need
   * kms:Decrypt, writers kms:Encrypt and kms:GenerateDataKey too. Nothing with the AWS-managed key.
   */
  grantKeyUse(grantee: iam.IGrantable, actions: readonly ItemAction[]): void {
    if (!this.encryptionKey) return;
    const writes = actions.some((action) => WRITE_ACTIONS.has(action));
    if (!writes) {
      this.encryptionKey.grantDecrypt(grantee);
      return;
    }
    this.encryptionKey.grantEncryptDecrypt(grantee);
    if (!Construct.isConstruct(grantee.grantPrincipal)) return;
    for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
      Validations.of(grantee.grantPrincipal).acknowledge({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason:
          "KMS's standard grant for a user of a table under a customer-managed key (ReEncryptFrom/To, GenerateDataKey and its WithoutPlaintext form), on that one key only.",
      });
    }
  }
}

const WRITE_ACTIONS: ReadonlySet<ItemAction> = new Set([
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
]);
