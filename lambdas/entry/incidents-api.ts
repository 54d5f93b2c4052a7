import { awsAckKey } from '../adapters/ack-key.js';
import { awsHandlerDeps, logger } from '../adapters/aws-deps.js';
import { incidentIdOfApiRequest, withIncidentCorrelation } from '../adapters/incident-correlation.js';
import { makeIncidentsApiHandler } from '../handlers/incidents-api.js';

export const handler = withIncidentCorrelation(
  logger,
  makeIncidentsApiHandler(awsHandlerDeps(awsAckKey())),
  incidentIdOfApiRequest,
);
