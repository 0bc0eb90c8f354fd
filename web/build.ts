/**
 * Builds the verification page (GET /verify): bundles web/verify/main.ts with the verifier core for
 * the browser, minifies the CSS, and links both from the HTML with a content version and SRI.
 *
 * One build, two callers (docs/adr/0007-verification-page.md): the local platform calls
 * `bundledVerifyPage()` lazily, once per process; the CDK stack calls `writeVerifyPageSync()` at
 * synth and copies the directory beside the Lambda bundle, where esbuild (a devDependency) is absent.
 */
import { build, buildSync, transform, transformSync, type BuildOptions, type TransformOptions } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assetIntegrity, assetVersion, VERIFY_PAGE_FILES, type VerifyPageAssets } from './verify-page-assets.ts';

const PAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'verify');

const SCRIPT_OPTIONS: BuildOptions = {
  entryPoints: [join(PAGE_DIR, 'main.ts')],
  bundle: true,
  // An IIFE keeps every name out of the page's global scope; `defer` runs it after parsing.
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  charset: 'utf8',
  write: false,
  logLevel: 'silent',
};

const STYLE_OPTIONS: TransformOptions = { loader: 'css', minify: true, target: 'chrome100', charset: 'utf8' };

/** Fills the page template's placeholders: each asset's versioned URL and its integrity value. */
const assemble = (template: string, script: string, style: string): VerifyPageAssets => {
  const fill: Record<string, string> = {
    SCRIPT_URL: `verify/${VERIFY_PAGE_FILES.script}?v=${assetVersion(script)}`,
    SCRIPT_INTEGRITY: assetIntegrity(script),
    STYLE_URL: `verify/${VERIFY_PAGE_FILES.style}?v=${assetVersion(style)}`,
    STYLE_INTEGRITY: assetIntegrity(style),
  };
  const html = template.replace(/\{\{(\w+)\}\}/g, (placeholder, name: string) => {
    const value = fill[name];
    if (value === undefined) throw new Error(`received placeholder ${placeholder} in web/verify/index.html; expected one of ${Object.keys(fill).join(', ')}`);
    return value;
  });
  return { html, script, style };
};

const readSource = (name: string): string => readFileSync(join(PAGE_DIR, name), 'utf8');

const onlyOutput = (files: { text: string }[] | undefined): string => {
  if (files?.length !== 1) throw new Error(`esbuild produced ${files?.length ?? 0} output files for web/verify/main.ts; expected 1`);
  return files[0]!.text;
};

/** Builds the page in memory. */
export async function bundleVerifyPage(): Promise<VerifyPageAssets> {
  const [script, style] = await Promise.all([
    build(SCRIPT_OPTIONS).then((result) => onlyOutput(result.outputFiles)),
    transform(readSource('style.css'), STYLE_OPTIONS).then((result) => result.code),
  ]);
  return assemble(readSource('index.html'), script, style);
}

let built: Promise<VerifyPageAssets> | undefined;

/** The page built once per process (the local platform's source); a failed build is retried on the next call. */
export function bundledVerifyPage(): Promise<VerifyPageAssets> {
  built ??= bundleVerifyPage().catch((error: unknown) => {
    built = undefined;
    throw error;
  });
  return built;
}

/** Builds the page synchronously into `directory` (CDK synth, whose constructs are synchronous); returns `directory`. */
export function writeVerifyPageSync(directory: string): string {
  const script = onlyOutput(buildSync(SCRIPT_OPTIONS).outputFiles);
  const style = transformSync(readSource('style.css'), STYLE_OPTIONS).code;
  const assets = assemble(readSource('index.html'), script, style);
  mkdirSync(directory, { recursive: true });
  for (const key of Object.keys(VERIFY_PAGE_FILES) as (keyof VerifyPageAssets)[]) {
    writeFileSync(join(directory, VERIFY_PAGE_FILES[key]), assets[key], 'utf8');
  }
  return directory;
}
