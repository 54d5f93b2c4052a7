import { awsPagingDeps } from '../adapters/aws-deps.js';
import { makePageRespondersHandler } from '../handlers/page-responders.js';

export const handler = makePageRespondersHandler(awsPagingDeps());
