import { awsIntakeDeps } from '../adapters/aws-deps.js';
import { makeIntakeHandler } from '../handlers/intake.js';

export const handler = makeIntakeHandler(awsIntakeDeps());
