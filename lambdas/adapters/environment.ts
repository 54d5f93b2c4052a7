/**
 * The environment variables the Lambdas read, named once here and used both by the CDK
 * constructs that set them and by the adapters that read them.
 */
export const ENV = {
  /** The single DynamoDB table (incidents, timeline, dedup records). */
  tableName: 'TABLE_NAME',
  /** JSON object: severity (SEV1…SEV4) → escalation state machine ARN. */
  stateMachines: 'ESCALATION_STATE_MACHINES',
  /** The post-mortem reminder state machine's ARN (started at each resolution). */
  postmortemStateMachine: 'POSTMORTEM_STATE_MACHINE',
  /** `arn:aws:sns:<region>:<account>:<prefix>`: a responder's topic is this plus the responder id. */
  responderTopicArnPrefix: 'RESPONDER_TOPIC_ARN_PREFIX',
  /** The EventBridge bus that receives incident lifecycle events. */
  eventBusName: 'EVENT_BUS_NAME',
  /** Public base URL of the HTTP API, for links in pages. */
  publicBaseUrl: 'PUBLIC_BASE_URL',
  /** ARN of the Secrets Manager secret holding the acknowledge-link HMAC key (never the key itself). */
  ackSigningSecretArn: 'ACK_SIGNING_SECRET_ARN',
  /** Comma-separated ARNs of the SNS topics whose notifications POST /v1/alerts/cloudwatch accepts. */
  allowedSnsTopicArns: 'ALLOWED_SNS_TOPIC_ARNS',
  /** `on` when a two-way SMS topic delivers replies to Klaxon: page SMS then suggest replying. */
  smsReplies: 'SMS_REPLIES',
} as const;

/**
 * The validated Klaxon config is compiled into each bundle (esbuild `define` replaces this
 * expression with the JSON text at synth) rather than passed as an environment variable:
 * Lambda caps all environment variables together at 4 KB, which a real roster outgrows.
 */
export const CONFIG_DEFINE = 'process.env.KLAXON_CONFIG';

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`Environment variable ${name} is not set; the Klaxon stack sets it on every function.`);
  return value;
}
