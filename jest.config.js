// Jest runs the compiled tests in dist/ (`npm test` builds first): the parsing worker threads load
// compiled scripts beside their callers, so tests exercise the same JavaScript that production runs.
/** @type {import('jest').Config} */
module.exports = {
  rootDir: 'dist',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.js'],
  testEnvironment: 'node',
  globalSetup: '<rootDir>/test/support/global-setup.js',
  transform: {},
  maxWorkers: 2,
  // e2e suites boot the whole application, and some wait on real Redis restarts and model time-outs.
  testTimeout: 60_000,
};
