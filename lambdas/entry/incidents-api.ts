import { awsHandlerDeps, logger } from '../adapters/aws-deps.js';
import { awsAckKey } from '../adapters/aws-ports.js';
import { incidentIdOfApiRequest, withIncidentCorrelation } from '../adapters/incident-correlation.js';
import { makeIncidentsApiHandler } from '../handlers/incidents-api.js';

export const handler = withIncidentCorrelation(
  logger,
  makeIncidentsApiHandler(awsHandlerDeps(awsAckKey())),
  incidentIdOfApiRequest,
);
