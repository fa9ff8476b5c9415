import { configDefaults, defineConfig } from 'vitest/config';

// Two projects so that the Kafka broker starts only when Kafka tests are selected: vitest runs a project's
// globalSetup only if that project has test files in the run (`npx vitest run test/unit/x.test.ts` starts nothing).
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/kafka/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'kafka',
          include: ['test/kafka/**/*.test.ts'],
          globalSetup: ['test/kafka/global-setup.ts'],
          // One broker shared by every file, and one file stops and restarts it: run the files one at a time.
          maxWorkers: 1,
        },
      },
    ],
  },
});
