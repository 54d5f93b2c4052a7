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
  /** The SNS topic Amazon Q Developer's chat channel configurations subscribe to. */
  chatTopicArn: 'CHAT_TOPIC_ARN',
  /** Comma-separated ARNs of the SNS topics whose notifications POST /v1/alerts/cloudwatch accepts. */
  allowedSnsTopicArns: 'ALLOWED_SNS_TOPIC_ARNS',
  /** Klaxon's EventBridge Scheduler group, which holds its run-time one-time schedules. */
  scheduleGroup: 'SCHEDULE_GROUP',
  /** The role EventBridge Scheduler assumes to invoke a schedule's target. */
  schedulerRoleArn: 'SCHEDULER_ROLE_ARN',
  /** JSON object: target (intake, page) → function ARN, or `self` for the function that reads it. */
  scheduleTargets: 'SCHEDULE_TARGETS',
  /** `arn:<partition>:lambda:<region>:<account>:function:`, to which `self` appends the function's name. */
  functionArnPrefix: 'FUNCTION_ARN_PREFIX',
  /**
   * The End User Messaging origination identity (phone number or pool ARN) that places calls and
   * sends SMS pages; unset when the deployment has none (SMS then goes through SNS, and no calls).
   */
  originationIdentity: 'ORIGINATION_IDENTITY',
  /** The End User Messaging configuration set whose event destination reports failed deliveries. */
  smsConfigurationSet: 'SMS_CONFIGURATION_SET',
  /** The console's sign-in: the user pool's managed login domain (`https://…amazoncognito.com`). */
  signInDomain: 'SIGN_IN_DOMAIN',
  /** The console's user pool app client id. */
  signInClientId: 'SIGN_IN_CLIENT_ID',
  /** The user pool whose ID tokens the sign-in authorizer accepts. */
  signInUserPoolId: 'SIGN_IN_USER_POOL_ID',
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
