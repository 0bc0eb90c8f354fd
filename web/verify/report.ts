/**
 * Renders a verdict as the page shows it. Everything a PDF carries (names, reasons, documents) is
 * attacker-controlled, so text goes in through textContent only, never as markup.
 */
import type { ApplicantSealVerdict, Check, Conclusion, EvidenceDigest, PdfVerdict, SignatureVerdict } from '../../shared/pdf/verify/verdict.ts';
import { checkWords, INDICATION_WORDS, SUB_INDICATION_WORDS, type Phrase } from './wording.ts';

type Child = Node | string | null | undefined | false;

/** Creates an element with attributes and children; strings become text nodes. */
export const h = (tag: string, attributes: Record<string, string> = {}, ...children: Child[]): HTMLElement => {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) if (child) element.append(child);
  return element;
};

/** Korean, then English in a muted span marked as English for screen readers. */
export const bilingual = (phrase: Phrase): DocumentFragment => {
  const fragment = document.createDocumentFragment();
  fragment.append(phrase.ko, ' ', h('span', { class: 'en', lang: 'en' }, `(${phrase.en})`));
  return fragment;
};

const SEOUL = new Intl.DateTimeFormat('ko-KR', { dateStyle: 'long', timeStyle: 'medium', timeZone: 'Asia/Seoul' });

/** A time as Korean local time (KST) with the exact ISO instant in `datetime`. */
const time = (iso: string): HTMLElement => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? h('span', {}, iso) : h('time', { datetime: date.toISOString(), title: date.toISOString() }, `${SEOUL.format(date)} KST`);
};

const facts = (rows: [Phrase, Child][]): HTMLElement =>
  h('dl', { class: 'facts' }, ...rows.filter(([, value]) => value !== undefined && value !== null && value !== false).flatMap(([label, value]) => [h('dt', {}, bilingual(label)), h('dd', {}, value)]));

const digest = (hex: string): HTMLElement => h('span', { class: 'digest' }, hex);

/** The headline: 통과/실패/판단 불가, the DSS word, the sub-indication and the one-line reason. */
const conclusionBlock = (conclusion: Conclusion, headingLevel: 'p' | 'h3' = 'p'): HTMLElement[] => {
  const sub = conclusion.indication === 'TOTAL_PASSED' ? undefined : conclusion.subIndication;
  const headline = h(
    headingLevel,
    { class: 'indication', 'data-indication': conclusion.indication, ...(sub ? { 'data-sub-indication': sub } : {}) },
    bilingual(INDICATION_WORDS[conclusion.indication]),
    ' ',
    h('span', { class: 'dss' }, conclusion.indication),
  );
  const blocks = [headline];
  if (sub) blocks.push(h('p', { class: 'sub-indication' }, h('span', { class: 'dss' }, sub), ' — ', bilingual(SUB_INDICATION_WORDS[sub] ?? { ko: sub, en: sub })));
  blocks.push(h('p', { class: 'reason' }, conclusion.reason));
  return blocks;
};

const checksTable = (checks: readonly Check[], caption: Phrase): HTMLElement =>
  h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'checks' },
      h('caption', {}, bilingual(caption)),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '검사 (Check)'), h('th', { scope: 'col' }, '결과 (Outcome)'), h('th', { scope: 'col' }, '내용 (Detail)'))),
      h(
        'tbody',
        {},
        ...checks.map((check) =>
          h(
            'tr',
            { 'data-check': check.name, 'data-ok': String(check.ok) },
            h('th', { scope: 'row' }, bilingual(checkWords(check.name))),
            h('td', { class: check.ok ? 'outcome-ok' : 'outcome-bad' }, check.ok ? '✓ 통과 (ok)' : '✗ 실패 (failed)'),
            h('td', {}, check.detail),
          ),
        ),
      ),
    ),
  );

const signatureSection = (signature: SignatureVerdict, index: number, count: number): HTMLElement => {
  const title: Phrase = count === 1 ? { ko: '기관 전자서명', en: 'Agency seal signature' } : { ko: `기관 전자서명 ${index + 1}`, en: `Agency seal signature ${index + 1}` };
  return h(
    'section',
    { class: 'signature', 'aria-label': `${title.ko} (${title.en})` },
    h('h3', {}, bilingual(title)),
    facts([
      [{ ko: '판정', en: 'Verdict' }, h('span', { 'data-indication': signature.conclusion.indication }, `${INDICATION_WORDS[signature.conclusion.indication].ko} · ${signature.conclusion.indication}${signature.conclusion.indication === 'TOTAL_PASSED' ? '' : ` / ${signature.conclusion.subIndication}`}`)],
      [{ ko: '서명자', en: 'Signer' }, signature.signer && h('span', { class: 'signer' }, signature.signer.subject)],
      [{ ko: '서명 인증서 발급자', en: 'Issued by' }, signature.signer?.issuer],
      [{ ko: '서명 인증서 일련번호', en: 'Serial number' }, signature.signer && digest(signature.signer.serialNumber)],
      [{ ko: '시점 확인 시각', en: 'Timestamp time' }, signature.timestampTime && h('span', { class: 'timestamp-time' }, time(signature.timestampTime))],
      [{ ko: '서명자가 밝힌 서명 시각', en: 'Claimed signing time' }, signature.claimedSigningTime && time(signature.claimedSigningTime)],
      [{ ko: '문서 전체 서명 여부', en: 'Covers the whole document' }, signature.coversWholeDocument ? '예 (yes)' : '아니요 (no)'],
      [{ ko: '인증서 경로', en: 'Certificate path' }, signature.chain && signature.chain.length > 0 && signature.chain.map((certificate) => certificate.subject).join(' → ')],
    ]),
    checksTable(signature.checks, { ko: '서명 검사 항목', en: 'Signature checks' }),
  );
};

const applicantSealSection = (seal: ApplicantSealVerdict): HTMLElement =>
  h(
    'section',
    { class: 'applicant-seal', 'aria-label': '전자 인감 (Applicant seal)' },
    h('h3', {}, bilingual({ ko: '신청인 전자 인감', en: 'Applicant seal' })),
    h('p', { class: 'seal-indication', 'data-indication': seal.conclusion.indication, ...(seal.conclusion.indication === 'TOTAL_PASSED' ? {} : { 'data-sub-indication': seal.conclusion.subIndication }) },
      bilingual(INDICATION_WORDS[seal.conclusion.indication]), ' ', h('span', { class: 'dss' }, seal.conclusion.indication), ' — ', seal.conclusion.reason),
    facts([
      [{ ko: '인감 인증서', en: 'Seal certificate' }, seal.certificate?.subject],
      [{ ko: '민원 번호', en: 'Petition' }, seal.petitionId],
      [{ ko: '인감이 결속한 신청 내용', en: 'Sealed application' }, seal.applicationDigest && digest(seal.applicationDigest)],
    ]),
    checksTable(seal.checks, { ko: '전자 인감 검사 항목', en: 'Applicant seal checks' }),
  );

const evidenceTable = (evidence: readonly EvidenceDigest[]): HTMLElement =>
  h(
    'section',
    { class: 'evidence', 'aria-label': '증빙 서류 (Evidence)' },
    h('h3', {}, bilingual({ ko: '증빙 서류', en: 'Evidence the platform retrieved' })),
    evidence.length === 0
      ? h('p', { class: 'note' }, '이 결과에는 증빙 서류 목록이 없습니다. ', h('span', { lang: 'en' }, 'This result lists no evidence.'))
      : h(
          'div',
          { class: 'table-scroll' },
          h(
            'table',
            {},
            h('caption', {}, bilingual({ ko: '서명된 결과에 기록된 서류와 SHA-256', en: 'Documents and SHA-256 recorded in the signed result' })),
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '서류 (Document)'), h('th', { scope: 'col' }, '발급 기관 (Agency)'), h('th', { scope: 'col' }, '발급 시각 (Retrieved)'), h('th', { scope: 'col' }, 'SHA-256'))),
            h('tbody', {}, ...evidence.map((item) => h('tr', { 'data-sha256': item.sha256 }, h('th', { scope: 'row' }, item.document), h('td', {}, item.issuingAgency), h('td', {}, time(item.retrievedAt)), h('td', {}, digest(item.sha256))))),
          ),
        ),
  );

/** How the file's evidence list compares with the digest a QR code carried (shown, never part of the verdict). */
export type QrEvidenceMatch = 'match' | 'mismatch' | undefined;

/** The whole report for one file. */
export const renderVerdict = (verdict: PdfVerdict, file: { name: string }, qrEvidence: QrEvidenceMatch): DocumentFragment => {
  const fragment = document.createDocumentFragment();
  const first = verdict.signatures[0];
  fragment.append(
    ...conclusionBlock(verdict.conclusion),
    facts([
      [{ ko: '파일', en: 'File' }, `${file.name} (${verdict.bytes.toLocaleString('ko-KR')} bytes)`],
      [{ ko: '파일 SHA-256', en: 'File SHA-256' }, digest(verdict.sha256)],
      [{ ko: '서명자', en: 'Signer' }, first?.signer?.subject],
      [{ ko: '시점 확인 시각', en: 'Timestamp time' }, first?.timestampTime && time(first.timestampTime)],
      [{ ko: '신청인 전자 인감', en: 'Applicant seal' }, verdict.applicantSeal && `${INDICATION_WORDS[verdict.applicantSeal.conclusion.indication].ko} · ${verdict.applicantSeal.conclusion.indication}`],
      [{ ko: '서명 후 추가된 내용', en: 'Added after signing' }, verdict.modificationsAfterSigning && `${verdict.modificationsAfterSigning.bytes} bytes, ${verdict.modificationsAfterSigning.revisions} revision(s)`],
      [{ ko: 'QR 코드의 증빙 목록 요약', en: 'Evidence digest in the QR code' }, qrEvidence && h('span', { class: qrEvidence === 'match' ? 'outcome-ok' : 'outcome-bad', 'data-qr-evidence': qrEvidence }, qrEvidence === 'match' ? '이 파일의 증빙 목록과 일치 (matches this file)' : '이 파일의 증빙 목록과 다름 (differs from this file)')],
      [{ ko: '검증 기준 시각', en: 'Validated at' }, time(verdict.validationTime)],
    ]),
    ...(verdict.signatures.length === 0 ? [h('p', { class: 'note' }, '이 파일에서 전자서명을 찾지 못했습니다. ', h('span', { lang: 'en' }, 'No signature was found in this file.'))] : []),
    ...verdict.signatures.map((signature, index) => signatureSection(signature, index, verdict.signatures.length)),
    ...(verdict.applicantSeal ? [applicantSealSection(verdict.applicantSeal)] : []),
    evidenceTable(verdict.evidence),
    ...(verdict.checks && verdict.checks.length > 0 ? [h('section', { class: 'file-checks', 'aria-label': '파일 검사 (File checks)' }, h('h3', {}, bilingual({ ko: '파일 검사', en: 'File checks' })), checksTable(verdict.checks, { ko: '파일 구조와 검증 자료', en: 'File structure and validation data' }))] : []),
  );
  return fragment;
};
