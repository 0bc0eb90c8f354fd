import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Integration suites start real servers (dynalite, simulated agencies, the API) and CDK synth bundles with esbuild.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
