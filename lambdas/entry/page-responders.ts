import { awsPagingDeps, logger } from '../adapters/aws-paging-deps.js';
import { incidentIdOfPageRequest, withIncidentCorrelation } from '../adapters/incident-correlation.js';
import { makePageRespondersHandler } from '../handlers/page-responders.js';

export const handler = withIncidentCorrelation(
  logger,
  makePageRespondersHandler(awsPagingDeps()),
  incidentIdOfPageRequest,
);
