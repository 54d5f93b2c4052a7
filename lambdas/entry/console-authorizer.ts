import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { bundledConfig, logger } from '../adapters/aws-runtime.js';
import { ENV, requireEnv } from '../adapters/environment.js';
import { consoleAuthorizer } from '../handlers/console-authorizer.js';

// Built once per cold start: it caches the user pool's signing keys (JWKS) between requests.
const verifier = CognitoJwtVerifier.create({
  userPoolId: requireEnv(ENV.signInUserPoolId),
  clientId: requireEnv(ENV.signInClientId),
  tokenUse: 'id',
});

export const handler = consoleAuthorizer(bundledConfig(), (token) => verifier.verify(token), logger);
