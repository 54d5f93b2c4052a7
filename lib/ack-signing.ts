/**
 * The key that signs acknowledge links in pages: a secret Secrets Manager generates at deploy, so
 * its value is in neither the template nor any environment variable. Functions get its ARN and
 * secretsmanager:GetSecretValue on it, and read it once per cold start
 * (lambdas/adapters/ack-key.ts).
 */
import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface AckSigningKeyProps {
  /**
   * The key the secret is encrypted with.
   * @default the AWS-managed key `aws/secretsmanager`
   */
  readonly encryptionKey?: kms.IKey;
}

export class AckSigningKey extends Construct {
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: AckSigningKeyProps = {}) {
    super(scope, id);
    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: 'Klaxon: HMAC key that signs the acknowledge links in pages',
      encryptionKey: props.encryptionKey,
      // 64 alphanumerics: about 380 bits, and no character that needs escaping anywhere.
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the link-signing key would invalidate every acknowledge link already sent in a page while the incident is still open; the key never leaves Secrets Manager and the functions that read it.',
    });
  }

  /**
   * secretsmanager:GetSecretValue on this secret only (grantRead would add DescribeSecret, which
   * no function uses), plus kms:Decrypt with a customer-managed key.
   */
  grantRead(grantee: iam.IGrantable): iam.Grant {
    this.secret.encryptionKey?.grantDecrypt(grantee);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['secretsmanager:GetSecretValue'],
      resourceArns: [this.secret.secretArn],
    });
  }
}
