/** @type {import('jest').Config} */
const project = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  roots: [`<rootDir>/test/${name}`],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  setupFiles: ['<rootDir>/test/helpers/setup-env.ts'],
  ...extra,
});

module.exports = {
  globalSetup: '<rootDir>/test/helpers/global-setup.js',
  projects: [project('unit'), project('integration'), project('infra')],
};
