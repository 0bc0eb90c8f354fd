/**
 * The verifier must run in a browser page: bundling its public face and the browser crypto for the
 * browser platform must succeed with no Node built-in and no Buffer anywhere in the bundle.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('the verifier bundle for browsers', () => {
  it('builds without any node: module and never mentions Buffer', async () => {
    const result = await build({
      stdin: {
        contents: "export * from './shared/pdf/verify/index.ts'; export * from './shared/pdf/verify/browser-crypto.ts';",
        resolveDir: process.cwd(),
        loader: 'ts',
      },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });

    const inputs = Object.keys(result.metafile.inputs);
    const code = result.outputFiles[0]!.text;
    expect(inputs.some((path) => path.includes('shared/pdf/verify/verifier.ts'))).toBe(true);
    expect(inputs.filter((path) => path.startsWith('node:') || path.includes('node-crypto'))).toEqual([]);
    expect(code).not.toMatch(/\bBuffer\b/);
    expect(code).not.toMatch(/require\(["']node:/);
  });
});
