// CommonJS Jest over ESM-only NestJS 12: @swc/jest compiles our TypeScript and the ESM
// packages below to CommonJS (see ../shared/PLATFORM.md, "Jest with NestJS 12").
const esmPackages = ['@nestjs', 'file-type', 'load-esm', 'strtok3', 'token-types', 'peek-readable', '@tokenizer', 'uint8array-extras', '@borewit'];

const swc = (syntax) => ['@swc/jest', {
  jsc: {
    parser: syntax === 'typescript' ? { syntax, decorators: true } : { syntax: 'ecmascript' },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
}];

module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  transform: {
    '^.+\\.ts$': swc('typescript'),
    '^.+\\.m?js$': swc('ecmascript'),
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['<rootDir>/test/support/worker-env.ts'],
  // A guard against a test that hangs, not a speed check (speed lives in bench/): CI's shared
  // machines have run a 5 s test past 30 s.
  testTimeout: 60_000,
  maxWorkers: 2,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
