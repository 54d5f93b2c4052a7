/** The embedding app's entry point: `CDK_OUTDIR=out node --import tsx test/embedding/app.ts`. */
import { App } from 'aws-cdk-lib';
import { buildEmbeddingApp } from './payments-platform.js';

const app = new App();
buildEmbeddingApp(app);
app.synth();
