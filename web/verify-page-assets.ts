/**
 * The verification page as built: what web/build.ts produces and functions/api/verify-page.ts
 * serves. Node-side only, and free of esbuild, so the Lambda bundle can import it.
 */
import { createHash } from 'node:crypto';

/** The three files of the page. */
export interface VerifyPageAssets {
  readonly html: string;
  readonly script: string;
  readonly style: string;
}

/** File names inside a built page directory. */
export const VERIFY_PAGE_FILES = { html: 'index.html', script: 'app.js', style: 'app.css' } as const satisfies Record<keyof VerifyPageAssets, string>;

/** The directory beside the Lambda bundle (/var/task/verify-page) that holds the built page. */
export const VERIFY_PAGE_DIRECTORY = 'verify-page';

/**
 * Version of an asset: the page links `app.js?v=<version>`, so a cached script can never outlive
 * the page that loads it, and the server can let browsers keep a matching version for good.
 */
export const assetVersion = (content: string): string => createHash('sha256').update(content, 'utf8').digest('hex').slice(0, 16);

/** Subresource Integrity value (`sha384-…`) of an asset, for the page's <script> and <link>. */
export const assetIntegrity = (content: string): string => `sha384-${createHash('sha384').update(content, 'utf8').digest('base64')}`;
