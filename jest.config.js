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
};
