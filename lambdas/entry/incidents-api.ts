import { awsHandlerDeps } from '../adapters/aws-deps.js';
import { makeIncidentsApiHandler } from '../handlers/incidents-api.js';

export const handler = makeIncidentsApiHandler(awsHandlerDeps());
