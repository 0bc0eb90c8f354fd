import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Integration suites start real servers (dynalite, simulated agencies, the API) and CDK synth bundles with esbuild.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // In CI a JSON report as well, from which .ci/run prints one plain "N passed, N failed" line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.vitest-results.json' }]] : ['default'],
  },
});
