/**
 * The verification page's script (GET /verify): the same verifier the `hanbeon verify` CLI runs,
 * here with @noble crypto, against the root certificate this origin publishes. The dropped file is
 * read and checked in the browser; the only requests the page makes are for itself and the root.
 */
import { browserVerificationCrypto } from '../../shared/pdf/verify/browser-crypto.ts';
import { createPdfVerifier, type PdfVerdict } from '../../shared/pdf/verify/index.ts';
import { acceptFiles, type ChosenFile } from './file-intake.ts';
import { evidenceListDigest, readQrCoordinates, type QrCoordinates } from './qr-coordinates.ts';
import { bilingual, h, renderVerdict, type QrEvidenceMatch } from './report.ts';
import { loadTrustAnchor } from './trust-anchor.ts';
import { INDICATION_WORDS } from './wording.ts';

const byId = <T extends HTMLElement>(id: string): T => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no element #${id}; expected the markup of web/verify/index.html`);
  return element as T;
};

const errorText = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** Shows the QR code's coordinates, when the page was opened from one. */
const showCoordinates = (coordinates: QrCoordinates): void => {
  const rows: [string, string, string | undefined][] = [
    ['민원 번호', 'Petition', coordinates.petitionId],
    ['결과 번호', 'Result', coordinates.resultId],
    ['처리 기관', 'Agency', coordinates.agencyId],
    ['증빙 목록 요약', 'Evidence list digest', coordinates.evidenceDigest],
  ];
  const present = rows.filter(([, , value]) => value !== undefined);
  if (present.length === 0) return;
  byId('coordinates-list').replaceChildren(...present.flatMap(([ko, en, value]) => [h('dt', {}, bilingual({ ko, en })), h('dd', { class: 'digest' }, value!)]));
  byId('coordinates').hidden = false;
};

function start(): void {
  const crypto = browserVerificationCrypto;
  const coordinates = readQrCoordinates(window.location.search);
  showCoordinates(coordinates);

  const input = byId<HTMLInputElement>('file');
  const hint = byId('file-hint');
  const trust = byId('trust');
  const status = byId('verdict-status');
  const report = byId('verdict');

  let verifier: ReturnType<typeof createPdfVerifier> | undefined;
  // Only the latest file's verdict is shown, whatever order the checks finish in.
  let latest = 0;

  const setState = (state: 'idle' | 'verifying' | 'done' | 'error', conclusion?: PdfVerdict['conclusion']) => {
    report.dataset.state = state;
    if (conclusion) {
      report.dataset.indication = conclusion.indication;
      if (conclusion.indication === 'TOTAL_PASSED') delete report.dataset.subIndication;
      else report.dataset.subIndication = conclusion.subIndication;
    } else {
      delete report.dataset.indication;
      delete report.dataset.subIndication;
    }
  };

  const check = async (file: ChosenFile) => {
    if (!verifier) return;
    const turn = ++latest;
    setState('verifying');
    status.replaceChildren(`${file.name}: `, bilingual({ ko: '검사 중…', en: 'checking…' }));
    report.replaceChildren();
    try {
      const verdict = await verifier.verify(file.bytes);
      let qrEvidence: QrEvidenceMatch;
      if (coordinates.evidenceDigest) qrEvidence = (await evidenceListDigest(verdict.evidence, crypto.sha256)) === coordinates.evidenceDigest ? 'match' : 'mismatch';
      if (turn !== latest) return;
      const words = INDICATION_WORDS[verdict.conclusion.indication];
      const sub = verdict.conclusion.indication === 'TOTAL_PASSED' ? '' : ` / ${verdict.conclusion.subIndication}`;
      status.replaceChildren(`${file.name}: `, bilingual(words), ` — ${verdict.conclusion.indication}${sub}`);
      report.replaceChildren(renderVerdict(verdict, file, qrEvidence));
      setState('done', verdict.conclusion);
    } catch (error) {
      if (turn !== latest) return;
      status.replaceChildren(`${file.name}: `, bilingual({ ko: '검사하지 못했습니다', en: 'could not be checked' }));
      report.replaceChildren(h('p', { class: 'reason' }, errorText(error)));
      setState('error');
    }
  };

  acceptFiles(input, byId('drop-zone'), (file) => void check(file), (error) => {
    status.replaceChildren(bilingual({ ko: '파일을 읽지 못했습니다', en: 'the file could not be read' }));
    report.replaceChildren(h('p', { class: 'reason' }, errorText(error)));
    setState('error');
  });

  // Browsers offer WebCrypto, which the verifier's digests use, only to secure contexts (HTTPS or localhost).
  if (!window.isSecureContext) {
    trust.replaceChildren(h('p', { class: 'outcome-bad' }, bilingual({ ko: '이 페이지는 HTTPS로 열어야 검증할 수 있습니다', en: 'Open this page over HTTPS to verify' })));
    trust.dataset.state = 'error';
    return;
  }
  loadTrustAnchor(window.location.href, crypto).then(
    (anchor) => {
      verifier = createPdfVerifier({ trustAnchors: anchor.certificates, crypto });
      trust.replaceChildren(
        h(
          'dl',
          { class: 'facts' },
          h('dt', {}, bilingual({ ko: '최상위 인증서', en: 'Root certificate' })),
          h('dd', {}, h('a', { href: anchor.url }, anchor.url)),
          ...anchor.fingerprints.flatMap((fingerprint) => [h('dt', {}, bilingual({ ko: 'SHA-256 지문', en: 'SHA-256 fingerprint' })), h('dd', { class: 'digest fingerprint' }, fingerprint)]),
        ),
      );
      trust.dataset.state = 'ready';
      trust.dataset.fingerprint = anchor.fingerprints.join(' ');
      input.disabled = false;
      hint.replaceChildren('PDF 한 개를 선택하세요. ', h('span', { lang: 'en' }, 'Choose one PDF.'));
    },
    (error: unknown) => {
      trust.replaceChildren(h('p', { class: 'outcome-bad' }, bilingual({ ko: '신뢰 기준을 불러오지 못했습니다. 검증할 수 없습니다', en: 'The trust anchor could not be loaded; nothing can be verified' })), h('p', { class: 'reason' }, errorText(error)));
      trust.dataset.state = 'error';
    },
  );
}

start();
