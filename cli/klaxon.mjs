#!/usr/bin/env node
// `klaxon` as an npm bin: TypeScript run through tsx, like `npm start`, so no build step is needed.
import { register } from 'tsx/esm/api';

register();
await import('./klaxon.ts');
