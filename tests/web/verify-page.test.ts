/**
 * The verification page in a real browser: Debian's headless Chromium opens GET /verify on the
 * embedded platform, a person chooses (or drops) a result PDF the platform signed, and the page must
 * reach the verdict the offline verifier reaches in Node — without the file ever leaving the browser.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { VERIFY_PAGE_CSP } from '../../functions/api/verify-page.ts';
import { evidenceListDigest } from '../../shared/pdf/render/verification-code.ts';
import { createPdfVerifier, readTrustAnchors, type PdfVerdict } from '../../shared/pdf/verify/index.ts';
import { nodeVerificationCrypto } from '../../shared/pdf/verify/node-crypto.ts';
import { startTestPlatform, type TestPlatform } from '../support/platform.ts';

const CHROMIUM = '/usr/bin/chromium';
// As the machine's probe runs it: without the background-networking flags Chromium keeps trying to
// reach Google's hosts, which this closed network refuses. playwright-core gives every launch a new,
// empty temporary profile (its own --user-data-dir) and deletes it on close.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The only paths the page may ask its origin for. */
const PAGE_PATHS = ['/verify', '/verify/app.js', '/verify/app.css', '/v1/trust/root.pem'];

let t: TestPlatform;
let browser: Browser;
let rootPem: string;
let petitionId: string;
let signed: Uint8Array;
let tampered: Uint8Array;
let expectedSigned: PdfVerdict;
let expectedTampered: PdfVerdict;

/**
 * A copy with one byte changed inside the first signed byte range but outside any PDF structure:
 * the binary-marker comment on the line after the header (`%PDF-1.x` then `%` and 4 high bytes).
 */
const tamper = (pdf: Uint8Array): Uint8Array => {
  const copy = new Uint8Array(pdf);
  const secondLine = copy.indexOf(0x0a) + 1;
  expect(Buffer.from(copy.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
  expect(copy[secondLine]).toBe(0x25); // '%': the binary comment the change goes into
  copy[secondLine + 1] = copy[secondLine + 1]! ^ 0x01;
  return copy;
};

beforeAll(async () => {
  t = await startTestPlatform();
  // A property transfer carries the applicant's seal as well as the agency's signature and evidence.
  const { token, id } = await t.submitExample('property-transfer-registration', 'demo-park-jiwoo');
  const petition = await t.waitForStatus(token, id, ['COMPLETED', 'REJECTED', 'FAILED', 'AWAITING_REVIEW'], 30_000);
  expect(petition.status).toBe('COMPLETED');
  petitionId = id;
  const result = await fetch(`${t.url}/v1/petitions/${id}/result.pdf`, { headers: { authorization: `Bearer ${token}` } });
  expect(result.status).toBe(200);
  signed = new Uint8Array(await result.arrayBuffer());
  tampered = tamper(signed);
  rootPem = await (await fetch(`${t.url}/v1/trust/root.pem`)).text();

  // The reference: the same verifier core in Node with node:crypto, as `hanbeon verify` runs it.
  const verifier = createPdfVerifier({ trustAnchors: readTrustAnchors(rootPem), crypto: nodeVerificationCrypto });
  expectedSigned = await verifier.verify(signed);
  expectedTampered = await verifier.verify(tampered);

  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
});

interface SeenRequest {
  readonly url: URL;
  readonly method: string;
  readonly body: Buffer | null;
}

interface OpenedPage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Every request any page or worker of the context made, in order. */
  readonly requests: SeenRequest[];
  /** CSP violations the browser reported (securitypolicyviolation events). */
  violations(): Promise<string[]>;
}

/** Opens /verify (with `query`) in a fresh context and waits until the trust anchor is loaded. */
const openPage = async (query = ''): Promise<OpenedPage> => {
  const context = await browser.newContext({ locale: 'ko-KR', timezoneId: 'Asia/Seoul' });
  const requests: SeenRequest[] = [];
  context.on('request', (request) => requests.push({ url: new URL(request.url()), method: request.method(), body: request.postDataBuffer() }));
  // Injected by the browser, not the page, so the page's own CSP does not apply to it.
  await context.addInitScript(`window.__violations = []; document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));`);
  const page = await context.newPage();
  await page.goto(`${t.url}/verify${query}`);
  await page.locator('#trust[data-state="ready"]').waitFor();
  return { context, page, requests, violations: () => page.evaluate('window.__violations') as Promise<string[]> };
};

/** Drops `pdf` on the drop zone as a file dragged from the desktop would arrive. */
const dropFile = async (page: Page, name: string, pdf: Uint8Array): Promise<void> => {
  // The bytes cross into the page through the DevTools protocol, as a drag from the desktop would.
  const dataTransfer = await page.evaluateHandle(
    `(() => { const bytes = Uint8Array.from(atob('${Buffer.from(pdf).toString('base64')}'), (c) => c.charCodeAt(0));
      const data = new DataTransfer(); data.items.add(new File([bytes], '${name}', { type: 'application/pdf' })); return data; })()`,
  );
  await page.locator('#drop-zone').dispatchEvent('dragover', { dataTransfer });
  await page.locator('#drop-zone').dispatchEvent('drop', { dataTransfer });
};

const chooseFile = (page: Page, name: string, pdf: Uint8Array) => page.locator('#file').setInputFiles({ name, mimeType: 'application/pdf', buffer: Buffer.from(pdf) });

/** What the page concluded, read from the report it rendered. */
const pageVerdict = async (page: Page) => {
  const report = page.locator('#verdict[data-state="done"]');
  await report.waitFor();
  return {
    indication: await report.getAttribute('data-indication'),
    subIndication: await report.getAttribute('data-sub-indication'),
    headline: (await page.locator('#verdict .indication').textContent()) ?? '',
  };
};

const subIndicationOf = (verdict: PdfVerdict): string | null => (verdict.conclusion.indication === 'TOTAL_PASSED' ? null : verdict.conclusion.subIndication);

describe('GET /verify', () => {
  it('serves the page and its assets with a Content-Security-Policy that allows nothing but this origin', async () => {
    const page = await fetch(`${t.url}/verify`);
    const html = await page.text();

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(VERIFY_PAGE_CSP);
    expect(VERIFY_PAGE_CSP.split('; ')).toEqual(
      expect.arrayContaining(["default-src 'none'", "script-src 'self'", "connect-src 'self'", "style-src 'self'", "img-src 'self' data:", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"]),
    );
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    // Nothing inline that the policy would have to allow, and nothing from another origin.
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=|<style|\son[a-z]+=/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);

    const scriptPath = /<script src="([^"]+)" integrity="(sha384-[^"]+)"/.exec(html);
    expect(scriptPath).not.toBeNull();
    const script = await fetch(new URL(scriptPath![1]!, `${t.url}/verify`));
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const body = Buffer.from(await script.arrayBuffer());
    expect(`sha384-${createHash('sha384').update(body).digest('base64')}`).toBe(scriptPath![2]);

    const again = await fetch(`${t.url}/verify`, { headers: { 'if-none-match': page.headers.get('etag')! } });
    expect(again.status).toBe(304);
    const unversioned = await fetch(`${t.url}/verify/app.js?v=other`);
    expect(unversioned.headers.get('cache-control')).toBe('no-cache');
  });

  it('passes a result the platform signed, with the verdict, signer, timestamp, applicant seal and evidence of the offline verifier', async () => {
    expect(expectedSigned.conclusion.indication).toBe('TOTAL_PASSED');
    const e = evidenceListDigest(expectedSigned.evidence.map((item) => item.sha256));
    const { page, context } = await openPage(`?r=result-1&p=${petitionId}&a=molit&e=${e}`);

    await chooseFile(page, 'result.pdf', signed);
    const verdict = await pageVerdict(page);

    expect(verdict).toMatchObject({ indication: expectedSigned.conclusion.indication, subIndication: subIndicationOf(expectedSigned) });
    expect(verdict.headline).toContain('통과');
    expect(await page.locator('#verdict-status').textContent()).toContain('TOTAL_PASSED');
    expect(await page.locator('#verdict .signer').first().textContent()).toBe(expectedSigned.signatures[0]!.signer!.subject);
    expect(await page.locator('#verdict .timestamp-time time').first().getAttribute('datetime')).toBe(new Date(expectedSigned.signatures[0]!.timestampTime!).toISOString());
    expect(await page.locator('#verdict .applicant-seal .seal-indication').getAttribute('data-indication')).toBe(expectedSigned.applicantSeal!.conclusion.indication);
    const evidenceRows = await page.locator('#verdict .evidence tbody tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-sha256')));
    expect(evidenceRows).toEqual(expectedSigned.evidence.map((item) => item.sha256));
    expect(evidenceRows.length).toBeGreaterThan(0);
    const checks = await page.locator('#verdict .signature tr[data-check]').evaluateAll((rows) => rows.map((row) => [row.getAttribute('data-check'), row.getAttribute('data-ok')]));
    expect(checks).toEqual(expectedSigned.signatures[0]!.checks.map((check) => [check.name, String(check.ok)]));
    // The QR code's coordinates are shown, and its evidence digest agrees with the file's list.
    expect(await page.locator('#coordinates').isVisible()).toBe(true);
    expect(await page.locator('#coordinates-list').textContent()).toContain(petitionId);
    expect(await page.locator('[data-qr-evidence]').getAttribute('data-qr-evidence')).toBe('match');
    await context.close();
  });

  it('fails a tampered copy dropped on the page with HASH_FAILURE, as the offline verifier does', async () => {
    expect(expectedTampered.conclusion).toMatchObject({ indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE' });
    const { page, context } = await openPage();

    await dropFile(page, 'tampered.pdf', tampered);
    const verdict = await pageVerdict(page);

    expect(verdict).toEqual({ indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE', headline: expect.stringContaining('실패') });
    expect(await page.locator('#verdict .reason').first().textContent()).toBe(expectedTampered.conclusion.reason);
    await context.close();
  });

  it('never sends the file anywhere: the only requests are the page, its script and style, and the root certificate', async () => {
    const { page, context, requests, violations } = await openPage();
    const beforeChoosing = requests.length;

    await chooseFile(page, 'result.pdf', signed);
    await pageVerdict(page);
    await dropFile(page, 'tampered.pdf', tampered);
    await page.locator('#verdict[data-indication="TOTAL_FAILED"]').waitFor();

    expect(requests.length).toBe(beforeChoosing);
    const network = requests.filter((request) => request.url.protocol !== 'data:');
    expect(network.map((request) => request.url.pathname).sort()).toEqual([...PAGE_PATHS].sort());
    for (const request of network) {
      expect(request.url.origin).toBe(new URL(t.url).origin);
      expect(request.method).toBe('GET');
      expect(request.body).toBeNull();
    }
    expect(await violations()).toEqual([]);
    await context.close();
  });

  it('shows the SHA-256 fingerprint of the root certificate it trusts, as certificate tools print it', async () => {
    const { page, context } = await openPage();

    const shown = await page.locator('#trust .fingerprint').allTextContents();

    expect(shown).toEqual([new X509Certificate(rootPem).fingerprint256]);
    await context.close();
  });

  it('can be used with the keyboard alone: the labelled file input is the first control after the skip link', async () => {
    const { page, context } = await openPage();

    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate('document.activeElement && document.activeElement.id');

    expect(focused).toBe('file');
    expect(await page.getByLabel(/결과 PDF를 선택/).getAttribute('type')).toBe('file');
    expect(await page.getByRole('status').count()).toBeGreaterThan(0);
    await context.close();
  });
});
