/**
 * The verification page's two delivery paths (docs/adr/0007-verification-page.md): built in memory
 * by the local platform, and written to a directory at synth that the Lambda serves from. Both must
 * give the same page, and the Lambda's reader must serve it with the same headers.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../functions/api/http.ts';
import { readBuiltVerifyPage, VERIFY_PAGE_CSP, verifyPageHandlers } from '../../functions/api/verify-page.ts';
import { bundleVerifyPage, writeVerifyPageSync } from '../../web/build.ts';
import { assetVersion, VERIFY_PAGE_FILES, type VerifyPageAssets } from '../../web/verify-page-assets.ts';

let directory: string;
let inMemory: VerifyPageAssets;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'hanbeon-verify-page-'));
  writeVerifyPageSync(directory);
  inMemory = await bundleVerifyPage();
});

afterAll(async () => {
  if (directory) await rm(directory, { recursive: true, force: true });
});

const event = (routeKey: string, query: Record<string, string> = {}, headers: Record<string, string> = {}): ApiEvent =>
  ({ routeKey, rawPath: routeKey.split(' ')[1]!, headers, queryStringParameters: query }) as unknown as ApiEvent;

const logger = { error: (message: string, details: Record<string, unknown>) => expect.fail(`${message}: ${JSON.stringify(details)}`) };

describe('the verification page build', () => {
  it('writes at synth exactly the page the local platform builds in memory', async () => {
    const served = await readBuiltVerifyPage(directory)();

    expect((await readdir(directory)).sort()).toEqual(Object.values(VERIFY_PAGE_FILES).sort());
    expect(served).toEqual(inMemory);
  });

  it('links the script and style by content version and integrity, with no placeholder left', () => {
    expect(inMemory.html).toContain(`verify/app.js?v=${assetVersion(inMemory.script)}`);
    expect(inMemory.html).toContain(`verify/app.css?v=${assetVersion(inMemory.style)}`);
    expect(inMemory.html).toMatch(/<script src="[^"]+" integrity="sha384-[A-Za-z0-9+/=]{64}" defer><\/script>/);
    expect(inMemory.html).not.toContain('{{');
  });

  it('bundles the verifier core for the browser: no Node built-in is left to import', () => {
    expect(inMemory.script).not.toMatch(/\brequire\(|from\s*["']node:|import\(["']node:/);
    expect(inMemory.script).toContain('TOTAL_PASSED');
  });

  it('serves a built directory as the Lambda does: HTML, versioned assets for good, the security headers on each', async () => {
    const page = verifyPageHandlers(readBuiltVerifyPage(directory));

    const html = await page.page(event('GET /verify'), { logger });
    const script = await page.script(event('GET /verify/app.js', { v: assetVersion(inMemory.script) }), { logger });
    const style = await page.style(event('GET /verify/app.css', { v: 'stale' }), { logger });
    const unchanged = await page.page(event('GET /verify', {}, { 'if-none-match': String(html.headers?.etag) }), { logger });

    expect(html).toMatchObject({ statusCode: 200, body: inMemory.html, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' } });
    expect(script).toMatchObject({ statusCode: 200, body: inMemory.script, headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=31536000, immutable' } });
    expect(style).toMatchObject({ statusCode: 200, body: inMemory.style, headers: { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-cache' } });
    expect(unchanged).toMatchObject({ statusCode: 304, body: '' });
    for (const answer of [html, script, style, unchanged]) {
      expect(answer.headers).toMatchObject({ 'content-security-policy': VERIFY_PAGE_CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
    }
  });

  it('answers a missing build directory with a problem document and a log line, and reads it once it exists', async () => {
    const later = join(directory, 'later');
    const errors: string[] = [];
    const page = verifyPageHandlers(readBuiltVerifyPage(later));

    const missing = await page.page(event('GET /verify'), { logger: { error: (message) => errors.push(message) } });
    writeVerifyPageSync(later);
    const found = await page.page(event('GET /verify'), { logger });

    expect(missing.statusCode).toBe(500);
    expect(errors).toHaveLength(1);
    expect(found).toMatchObject({ statusCode: 200, body: inMemory.html });
  });
});
