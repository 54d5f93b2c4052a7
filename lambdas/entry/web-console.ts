import { awsHandlerDeps, logger } from '../adapters/aws-deps.js';
import { awsAckKey } from '../adapters/aws-ports.js';
import { cognitoSettingsFromEnv, cognitoSignIn } from '../adapters/cognito-sign-in.js';
import { incidentIdOfApiRequest, withIncidentCorrelation } from '../adapters/incident-correlation.js';
import { makeWebConsoleHandler } from '../handlers/web-console.js';

export const handler = withIncidentCorrelation(
  logger,
  makeWebConsoleHandler(awsHandlerDeps(awsAckKey()), { signIn: cognitoSignIn(cognitoSettingsFromEnv()) }),
  incidentIdOfApiRequest,
);
