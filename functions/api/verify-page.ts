/**
 * GET /verify, /verify/app.js and /verify/app.css: the verification page, where a person drops a
 * result PDF and the browser computes the verdict the offline CLI would (web/verify/main.ts). The
 * file never reaches us; these routes only serve the page, built ahead of time (web/build.ts):
 * in Lambda from the directory the CDK stack copies beside the bundle, locally from memory.
 */
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assetVersion, VERIFY_PAGE_DIRECTORY, VERIFY_PAGE_FILES, type VerifyPageAssets } from '../../web/verify-page-assets.ts';
import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import { byRoute, header, withProblems, type ApiHandler, type ApiLogger, type ApiResult } from './http.ts';

/** Where the page's assets come from: called per request, expected to cache. */
export type VerifyPageSource = () => Promise<VerifyPageAssets>;

/**
 * Only this origin's script, style and the root certificate fetch; no inline code, no framing, no
 * forms. `data:` images cover the empty favicon, which keeps browsers from asking for /favicon.ico.
 */
export const VERIFY_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "connect-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': VERIFY_PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

// The page is revalidated every time (a new deployment must take effect at once); assets asked for
// by the version the page links may be kept for good, any other version only after revalidation.
const PAGE_CACHE = 'no-cache';
const VERSIONED_ASSET_CACHE = 'public, max-age=31536000, immutable';

type PageDeps = { logger: ApiLogger };

/** A text response with the page's headers, or 304 when the client already holds this version. */
const serve = (event: Parameters<ApiHandler<PageDeps>>[0], body: string, contentType: string, cacheControl: string): ApiResult => {
  const etag = `"${assetVersion(body)}"`;
  const headers = { ...SECURITY_HEADERS, etag, 'cache-control': cacheControl };
  if (header(event, 'if-none-match')?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) {
    return { statusCode: 304, headers, body: '' };
  }
  return { statusCode: 200, headers: { ...headers, 'content-type': contentType }, body };
};

const assetHandler = (source: VerifyPageSource, pick: (assets: VerifyPageAssets) => string, contentType: string): ApiHandler<PageDeps> =>
  withProblems<PageDeps>(async (event) => {
    const body = pick(await source());
    const versioned = event.queryStringParameters?.v === assetVersion(body);
    return serve(event, body, contentType, versioned ? VERSIONED_ASSET_CACHE : PAGE_CACHE);
  });

/** The three route handlers over one source of built assets. */
export const verifyPageHandlers = (source: VerifyPageSource) => ({
  page: withProblems<PageDeps>(async (event) => serve(event, (await source()).html, 'text/html; charset=utf-8', PAGE_CACHE)),
  script: assetHandler(source, (assets) => assets.script, 'text/javascript; charset=utf-8'),
  style: assetHandler(source, (assets) => assets.style, 'text/css; charset=utf-8'),
});

/** Reads a built page directory once (a failed read is retried on the next request). */
export const readBuiltVerifyPage = (directory: string): VerifyPageSource => {
  let assets: Promise<VerifyPageAssets> | undefined;
  return () => {
    assets ??= Promise.all([VERIFY_PAGE_FILES.html, VERIFY_PAGE_FILES.script, VERIFY_PAGE_FILES.style].map((file) => readFile(join(directory, file), 'utf8')))
      .then(([html, script, style]) => ({ html: html!, script: script!, style: style! }))
      .catch((error: unknown) => {
        assets = undefined;
        throw error;
      });
    return assets;
  };
};

// In Lambda this module is bundled into /var/task/index.mjs and the stack copies the built page to
// /var/task/verify-page/ (infra/aws/platform-stack.ts), so the directory is found beside the code.
const lambdaPage = verifyPageHandlers(readBuiltVerifyPage(fileURLToPath(new URL(`./${VERIFY_PAGE_DIRECTORY}/`, import.meta.url))));
const routes = byRoute<PageDeps>({
  'GET /verify': lambdaPage.page,
  'GET /verify/app.js': lambdaPage.script,
  'GET /verify/app.css': lambdaPage.style,
});
// Static files need no composition root (lambdaHandler's awsApiDeps): no config, no AWS clients, no
// secrets at cold start, and so no permissions beyond writing logs.
const lambdaDeps: PageDeps = { logger: new Logger({ serviceName: 'hanbeon' }) };

export const handler = middy(async (event: Parameters<typeof routes>[0]) => routes(event, lambdaDeps));
