// middy 7 and aws-local-stepfunctions 3 ship ESM only, so jest runs the suite as native ESM
// (node --experimental-vm-modules, see package.json) and swc strips the types.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { target: 'es2023', parser: { syntax: 'typescript' } },
        module: { type: 'es6' },
      },
    ],
  },
  // 'klaxon': the package's own name, as an embedding app imports it (package.json "exports").
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1', '^klaxon$': '<rootDir>/lib/index.ts' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 60_000,
  // Jest's default (cores - 1) runs the suite in one process on a 2-core machine, where each
  // infrastructure test file loads aws-cdk-lib into a fresh module registry: 10.4 min there
  // against 2.5 min with a worker per core.
  maxWorkers: '100%',
  testSequencer: '<rootDir>/test/support/slowest-first.mjs',
};
