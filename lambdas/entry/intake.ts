import { awsIntakeDeps, logger } from '../adapters/aws-intake-deps.js';
import { incidentIdOfApiRequest, withIncidentCorrelation } from '../adapters/incident-correlation.js';
import { makeIntakeHandler } from '../handlers/intake.js';

// An alert names no incident yet: its lines correlate by request id until intake logs the incident.
export const handler = withIncidentCorrelation(logger, makeIntakeHandler(awsIntakeDeps()), incidentIdOfApiRequest);
