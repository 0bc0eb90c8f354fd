/**
 * The signed result, end to end through the embedded platform: every decided petition ends as a
 * PAdES-signed PDF that Debian's pdfsig accepts with nothing but the root certificate published at
 * /v1/trust/root.pem; only the owner can fetch it; a type that asks for the applicant's seal gets a
 * digital seal certificate inside its result.
 */
import { execFile } from 'node:child_process';
import { createHash, createPublicKey, verify, X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readApplicantSeal } from '../../../shared/seal/applicant-seal.ts';
import { parseCrl } from '../../../shared/seal/crl.ts';
import { startTestPlatform, type TestPlatform } from '../../support/platform.ts';

const run = promisify(execFile);

let t: TestPlatform;
let work: string;
let nssDir: string;

beforeAll(async () => {
  t = await startTestPlatform();
  work = await mkdtemp(join(tmpdir(), 'hanbeon-signed-'));
  // An NSS database holding only our root, fetched from the platform like an auditor would.
  const root = await fetch(`${t.url}/v1/trust/root.pem`);
  await writeFile(join(work, 'root.pem'), await root.text());
  nssDir = join(work, 'nss');
  await run('mkdir', ['-p', nssDir]);
  await run('certutil', ['-N', '--empty-password', '-d', `sql:${nssDir}`]);
  await run('certutil', ['-A', '-n', 'hanbeon-root', '-t', 'C,C,C', '-i', join(work, 'root.pem'), '-d', `sql:${nssDir}`]);
}, 60_000);

afterAll(async () => {
  await t?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

const decided = async (subject: string, typeId: string) => {
  const { token, id } = await t.submitExample(typeId, subject);
  const petition = await t.waitForStatus(token, id, ['COMPLETED', 'REJECTED', 'FAILED', 'AWAITING_REVIEW'], 30_000);
  return { token, id, petition };
};

const fetchResult = (token: string, id: string) => fetch(`${t.url}/v1/petitions/${id}/result.pdf`, { headers: { authorization: `Bearer ${token}` } });

const pdfsig = async (pdf: Uint8Array, name: string) => {
  const file = join(work, name);
  await writeFile(file, pdf);
  const { stdout } = await run('pdfsig', ['-nssdir', `sql:${nssDir}`, file]).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  return stdout;
};

describe('signed results', () => {
  it('seals an approved petition: pdfsig, trusting only the published root, reports it valid and trusted', async () => {
    const { token, id, petition } = await decided('demo-kim-younghee', 'basic-pension');
    expect(petition.status).toBe('COMPLETED');

    const answer = await fetchResult(token, id);
    const pdf = new Uint8Array(await answer.arrayBuffer());

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/pdf');
    expect(answer.headers.get('x-content-sha256')).toBe(createHash('sha256').update(pdf).digest('hex'));
    expect(pdf.length).toBeLessThanOrEqual(60 * 1024);
    const report = await pdfsig(pdf, `${id}.pdf`);
    expect(report).toContain('Signature Validation: Signature is Valid.');
    expect(report).toContain('Certificate Validation: Certificate is Trusted.');
    expect(report).toContain('ETSI.CAdES.detached');
    expect(report).toContain('Total document signed');
    // The petition points at its result and its hash.
    const body = (await (await t.getPetition(token, id)).json()) as { result?: { sha256: string; document: string; sealedBy: string } };
    expect(body.result).toMatchObject({ document: 'result', sealedBy: 'mois', sha256: answer.headers.get('x-content-sha256') });
  });

  it('shows the decision, the evidence and its digests in Korean text that can be extracted', async () => {
    const { token, id, petition } = await decided('demo-kim-younghee', 'basic-pension');
    const file = join(work, `${id}-text.pdf`);
    await writeFile(file, new Uint8Array(await (await fetchResult(token, id)).arrayBuffer()));

    const { stdout: text } = await run('pdftotext', ['-enc', 'UTF-8', file, '-']);

    expect(text).toContain('기초연금');
    expect(text).toContain('김영희');
    expect(text).toContain('행정안전부');
    for (const evidence of petition.evidence) expect(text.replace(/\s/g, '')).toContain(evidence.sha256);
  });

  it('signs a rejection notice too', async () => {
    const { token, id, petition } = await decided('demo-park-jiwoo', 'basic-pension');
    expect(petition.status).toBe('REJECTED');

    const pdf = new Uint8Array(await (await fetchResult(token, id)).arrayBuffer());

    expect(await pdfsig(pdf, `${id}-notice.pdf`)).toContain('Signature Validation: Signature is Valid.');
    const body = (await (await t.getPetition(token, id)).json()) as { result?: { document: string } };
    expect(body.result?.document).toBe('rejection-notice');
  });

  it('gives another citizen the same 404 as a petition that does not exist', async () => {
    const { id } = await decided('demo-kim-younghee', 'basic-pension');
    const stranger = await t.token('demo-lee-cheolsu');

    const other = await fetchResult(stranger, id);
    const missing = await fetchResult(stranger, '00000000-0000-4000-8000-000000000000');

    expect(other.status).toBe(404);
    expect(other.headers.get('content-type')).toBe('application/problem+json');
    expect(((await other.json()) as { type: string }).type).toBe(((await missing.json()) as { type: string }).type);
  });

  it('publishes the CRLs without login: the seal CA CRL by default, each CA by name', async () => {
    const byDefault = await fetch(`${t.url}/v1/trust/crl`);
    const platformCrl = await fetch(`${t.url}/v1/trust/crl/platform-seal.crl`);
    const unknown = await fetch(`${t.url}/v1/trust/crl/nope`);

    expect(byDefault.headers.get('content-type')).toBe('application/pkix-crl');
    expect(parseCrl(new Uint8Array(await byDefault.arrayBuffer())).issuer.commonName).toMatch(/Seal CA/i);
    expect(parseCrl(new Uint8Array(await platformCrl.arrayBuffer())).nextUpdate!.getTime()).toBeGreaterThan(Date.now());
    expect(unknown.status).toBe(404);
  });

  it('seals a property transfer with the applicant seal: certificate, sealed application and its signature travel in the result', async () => {
    const { token, id, petition } = await decided('demo-park-jiwoo', 'property-transfer-registration');
    expect(petition.status).toBe('COMPLETED');
    const file = join(work, `${id}-sealed.pdf`);
    await writeFile(file, new Uint8Array(await (await fetchResult(token, id)).arrayBuffer()));
    const attachments = join(work, `${id}-attachments`);
    await run('mkdir', ['-p', attachments]);

    await run('pdfdetach', ['-saveall', '-o', attachments, file]);
    const [certificate, application, signature] = await Promise.all(['applicant-seal.cer', 'application.json', 'application.sig'].map((name) => readFile(join(attachments, name))));

    expect((await readdir(attachments)).sort()).toEqual(['applicant-seal.cer', 'application.json', 'application.sig', 'evidence.json']);
    // The evidence list travels machine-readable too: the very documents the petition record names, by SHA-256.
    const listed = JSON.parse(await readFile(join(attachments, 'evidence.json'), 'utf8')) as { evidenceId: string; sha256: string }[];
    expect(listed.map((e) => [e.evidenceId, e.sha256]).sort()).toEqual(petition.evidence.map((e) => [e.id, e.sha256]).sort());
    const seal = readApplicantSeal(certificate!);
    expect(seal.name).toBe('박지우');
    expect(seal.petitionId).toBe(id);
    expect(seal.applicationDigest).toBe(createHash('sha256').update(application!).digest('hex'));
    expect(seal.rrnKeyedHash).toMatch(/^[0-9a-f]{64}$/);
    // The resident number the identity provider vouched for is nowhere: not in the seal, the sealed
    // application or the file (compared as digits, with and without the hyphen).
    const { rrn } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { rrn: string };
    const [front, back] = [rrn.slice(0, 6), rrn.slice(-7)];
    for (const text of [JSON.stringify(seal), application!.toString('utf8'), (await readFile(file)).toString('latin1')]) {
      expect(text).not.toContain(`${front}${back}`);
      expect(text).not.toContain(`${front}-${back}`);
    }
    const key = createPublicKey({ key: new X509Certificate(certificate!).publicKey.export({ type: 'spki', format: 'der' }), format: 'der', type: 'spki' });
    expect(verify('sha256', application!, key, signature!)).toBe(true);
    expect(JSON.parse(application!.toString('utf8'))).toMatchObject({ petitionId: id, petitionType: 'property-transfer-registration' });
    expect(await pdfsig(await readFile(file), `${id}-sealed-check.pdf`)).toContain('Certificate Validation: Certificate is Trusted.');
  });
});
