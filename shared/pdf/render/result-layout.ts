/**
 * The page design of a result notice, laid out into draw operations: the issuing agency's header,
 * the title, the petition, the decision and its reasons, the evidence table, the seal
 * certificate, and the closing block with the date, the agency, the place of the seal and the QR
 * code. Every text flows line by line, so a long value continues on the next page.
 */
import { formatKoreanDate, formatKstDateTime } from './display-time.ts';
import type { DrawOp, Rgb } from './draw-ops.ts';
import type { FontPair } from './font-program.ts';
import { PageFlow, RESULT_PAGE_FRAME } from './page-flow.ts';
import { DocumentTooLongError } from './render-errors.ts';
import type { ResultDocument } from './result-document.ts';
import { SEAL_SIZE } from './seal-appearance.ts';
import type { TextKind } from './text-policy.ts';
import { baseline, textOp, Typesetter, type TextStyle } from './typesetter.ts';
import { qrMatrix, verificationPayload } from './verification-code.ts';

/** A result may not run longer than this; more means the input is wrong, not that the notice is long. */
export const MAX_RESULT_PAGES = 20;
/** Input text beyond this is refused before any layout work. */
export const MAX_RESULT_CHARACTERS = 200_000;

const INK: Rgb = [0.12, 0.12, 0.14];
const MUTED: Rgb = [0.42, 0.42, 0.45];
const ACCENT: Rgb = [0.09, 0.24, 0.47];
const LIGHT_RULE: Rgb = [0.82, 0.83, 0.85];
const HEADER_FILL: Rgb = [0.93, 0.94, 0.96];
const OUTCOME_COLOR: Record<ResultDocument['decision']['outcome'], Rgb> = {
  approve: [0.07, 0.45, 0.22],
  reject: [0.75, 0.1, 0.1],
  review: [0.7, 0.42, 0.02],
};

const style = (face: TextStyle['face'], size: number, lineHeight: number, color: Rgb = INK): TextStyle => ({ face, size, lineHeight, color });
const BODY = style('regular', 9.5, 13.5);
const LABEL = style('regular', 8.5, 13.5, MUTED);
const SMALL = style('regular', 7.5, 11, MUTED);
const HASH = style('regular', 7.5, 11, INK);
const TABLE_HEAD = style('bold', 8.5, 16, INK);
const SECTION = style('bold', 11, 18, ACCENT);

const APPEAL_NOTICE =
  '이 처분에 이의가 있는 경우 처분이 있음을 안 날부터 90일 이내에 행정심판법에 따른 행정심판 또는 행정소송법에 따른 행정소송을 제기할 수 있습니다.';
const CLOSING = { result: '위와 같이 통지합니다.', 'rejection-notice': '위와 같이 반려되었음을 통지합니다.' } as const;

/** Where the signer puts the seal: page and rectangle [x, y, width, height] in points. */
export interface SealPlacement {
  readonly pageIndex: number;
  readonly rect: readonly [number, number, number, number];
}

export interface ResultLayout {
  readonly pages: readonly (readonly DrawOp[])[];
  readonly seal: SealPlacement;
  readonly sealText: string;
  readonly qrPayload: string;
}

const countCharacters = (document: ResultDocument): number => {
  let total = 0;
  JSON.stringify(document, (_key, value: unknown) => {
    if (typeof value === 'string') total += value.length;
    return value;
  });
  return total;
};

/** Lays out `document` in `fonts`; throws UnrenderableTextError or DocumentTooLongError. */
export const layoutResult = (document: ResultDocument, fonts: FontPair): ResultLayout => {
  const characters = countCharacters(document);
  if (characters > MAX_RESULT_CHARACTERS) {
    throw new DocumentTooLongError(`the result's text has ${characters} characters; expected at most ${MAX_RESULT_CHARACTERS}`);
  }
  const ts = new Typesetter(fonts);
  const flow = new PageFlow(RESULT_PAGE_FRAME, MAX_RESULT_PAGES);
  const { left, right } = flow.frame;
  const lines = (value: string, field: string, kind: TextKind, s: TextStyle, width: number) => ts.lines(value, field, kind, s, width);
  const rule = (y: number, color: Rgb = LIGHT_RULE, lineWidth = 0.5) => flow.ops.push({ kind: 'rule', x1: left, y1: y, x2: right, y2: y, lineWidth, color });
  const centred = (value: string, field: string, s: TextStyle) => {
    for (const cells of lines(value, field, 'core', s, flow.width)) {
      flow.ensure(s.lineHeight);
      flow.ops.push(textOp(cells, left + (flow.width - ts.width(cells, s)) / 2, baseline(flow.y, s.lineHeight, s.size), s));
      flow.advance(s.lineHeight);
    }
  };

  // Header: issuing agency, result number, title.
  const agencyStyle = style('bold', 12.5, 17, ACCENT);
  const numberStyle = style('regular', 7.5, 17, MUTED);
  const numberLines = lines(`결과 번호 ${document.verification.resultId}`, 'verification.resultId', 'core', numberStyle, flow.width / 2);
  ts.flowRow(flow, [
    { x: left, lines: lines(document.issuingAgency.name, 'issuingAgency.name', 'core', agencyStyle, flow.width / 2), style: agencyStyle },
    ...numberLines.slice(0, 1).map((cells) => ({ x: right - ts.width(cells, numberStyle), lines: [cells], style: numberStyle })),
  ]);
  if (document.issuingAgency.nameEn) ts.flowLines(flow, lines(document.issuingAgency.nameEn, 'issuingAgency.nameEn', 'core', SMALL, flow.width), left, SMALL);
  flow.advance(4);
  rule(flow.y, ACCENT, 1.4);
  flow.advance(16);
  centred(document.title, 'title', style('bold', 19, 26));
  flow.advance(8);

  const section = (heading: string) => {
    flow.advance(7);
    flow.ensure(SECTION.lineHeight + 2 * BODY.lineHeight);
    flow.ops.push({ kind: 'fill', x: left, y: flow.y - SECTION.lineHeight + 4, width: 3, height: SECTION.lineHeight - 8, color: ACCENT });
    ts.flowLines(flow, lines(heading, 'section', 'core', SECTION, flow.width), left + 9, SECTION);
    rule(flow.y, ACCENT, 0.6);
    flow.advance(3);
  };
  const labelWidth = 104;
  const entry = (label: string, value: string, field: string, kind: TextKind, valueStyle: TextStyle = BODY, labelField = 'label') => {
    ts.flowRow(flow, [
      { x: left + 4, lines: lines(label, labelField, 'core', LABEL, labelWidth - 8), style: LABEL },
      { x: left + labelWidth, lines: lines(value, field, kind, valueStyle, flow.width - labelWidth), style: valueStyle },
    ]);
    rule(flow.y - 1);
    flow.advance(2);
  };

  const { petition, decision } = document;
  section('신청 내용');
  entry('접수 번호', petition.id, 'petition.id', 'core');
  entry('민원 종류', petition.typeName, 'petition.typeName', 'core');
  entry('신청인', petition.applicantName, 'petition.applicantName', 'core', style('bold', 9.5, 13.5));
  entry('접수 일시', formatKstDateTime(petition.submittedAt), 'petition.submittedAt', 'core');
  petition.fields.forEach((field, i) => entry(field.label, field.value, `petition.fields[${i}].value`, 'free', BODY, `petition.fields[${i}].label`));

  section(document.kind === 'rejection-notice' ? '반려 결정' : '처리 결과');
  entry('결과', decision.label, 'decision.label', 'core', style('bold', 10.5, 15, OUTCOME_COLOR[decision.outcome]));
  entry('결정 일시', formatKstDateTime(decision.decidedAt), 'decision.decidedAt', 'core');
  if (decision.reasons.length > 0) {
    const reasonsWidth = flow.width - labelWidth;
    decision.reasons.forEach((reason, i) => {
      const number = lines(`${i + 1}.`, 'decision.reasons', 'core', BODY, 20);
      ts.flowRow(flow, [
        { x: left + 4, lines: i === 0 ? lines('사유', 'decision.reasons label', 'core', LABEL, labelWidth) : [], style: LABEL },
        { x: left + labelWidth, lines: number, style: BODY },
        { x: left + labelWidth + 16, lines: lines(reason, `decision.reasons[${i}]`, 'free', BODY, reasonsWidth - 16), style: BODY },
      ]);
    });
    rule(flow.y - 1);
    flow.advance(2);
  }

  section('확인한 증빙 서류');
  const columns = [left + 4, left + 200, left + 340];
  const widths = [190, 134, right - columns[2]! - 4];
  const headerRow = () => {
    flow.ensure(TABLE_HEAD.lineHeight + BODY.lineHeight + HASH.lineHeight);
    flow.ops.push({ kind: 'fill', x: left, y: flow.y - TABLE_HEAD.lineHeight, width: flow.width, height: TABLE_HEAD.lineHeight, color: HEADER_FILL });
    ts.flowRow(
      flow,
      ['서류', '발급 기관', '조회 일시'].map((heading, i) => ({ x: columns[i]!, lines: lines(heading, 'table', 'core', TABLE_HEAD, widths[i]!), style: TABLE_HEAD })),
    );
  };
  if (document.evidence.length === 0) {
    ts.flowLines(flow, lines('이 결정에 사용한 증빙 서류가 없습니다.', 'evidence', 'core', BODY, flow.width), left + 4, BODY);
  } else {
    headerRow();
    flow.onNewPage = headerRow;
    document.evidence.forEach((item, i) => {
      const field = `evidence[${i}]`;
      flow.ensure(BODY.lineHeight + HASH.lineHeight);
      ts.flowRow(flow, [
        { x: columns[0]!, lines: lines(item.document, `${field}.document`, 'core', BODY, widths[0]!), style: BODY },
        { x: columns[1]!, lines: lines(item.issuingAgency, `${field}.issuingAgency`, 'core', BODY, widths[1]!), style: BODY },
        { x: columns[2]!, lines: lines(formatKstDateTime(item.retrievedAt), `${field}.retrievedAt`, 'core', BODY, widths[2]!), style: BODY },
      ]);
      ts.flowRow(flow, [
        { x: columns[0]!, lines: lines('SHA-256', 'table', 'core', SMALL, 40), style: SMALL },
        { x: columns[0]! + 40, lines: lines(item.sha256, `${field}.sha256`, 'core', HASH, flow.width - 48), style: HASH },
      ]);
      flow.advance(2);
      rule(flow.y);
      flow.advance(2);
    });
    flow.onNewPage = undefined;
  }

  const certificate = document.sealCertificate;
  if (certificate) {
    section('직인 인증서');
    entry('일련번호', certificate.serial, 'sealCertificate.serial', 'core');
    entry('주체', certificate.subject, 'sealCertificate.subject', 'core');
    entry('발급자', certificate.issuer, 'sealCertificate.issuer', 'core');
    entry('유효기간 만료', formatKstDateTime(certificate.notAfter), 'sealCertificate.notAfter', 'core');
    entry('신청서 다이제스트', certificate.applicationDigest, 'sealCertificate.applicationDigest', 'core', HASH);
  }

  // Closing block: kept together on one page, so it is measured before it is placed.
  const payload = verificationPayload({
    url: document.verification.url,
    resultId: document.verification.resultId,
    petitionId: petition.id,
    agencyId: document.issuingAgency.id,
    evidenceSha256: document.evidence.map((e) => e.sha256),
  });
  const matrix = qrMatrix(payload);
  // Bottom row: QR code and its captions on the left half, the agency and its seal centred on the right half.
  const qrSide = 72;
  const half = flow.width / 2;
  const captionX = left + qrSide + 10;
  const captionWidth = half - qrSide - 10;
  const appeal = document.kind === 'rejection-notice' ? lines(APPEAL_NOTICE, 'appeal', 'core', SMALL, flow.width) : [];
  const headStyle = style('bold', 16, 22);
  const closingStyle = style('regular', 10.5, 16);
  const captionHead = style('bold', 8, 11);
  const captions = [
    ...lines('진위 확인', 'verification', 'core', captionHead, captionWidth).map((cells) => ({ cells, s: captionHead })),
    ...lines('QR 코드 또는 아래 주소에서 결과 번호로 진위를 확인할 수 있습니다.', 'verification', 'core', SMALL, captionWidth).map((cells) => ({ cells, s: SMALL })),
    ...lines(document.verification.url, 'verification.url', 'core', SMALL, captionWidth).map((cells) => ({ cells, s: SMALL })),
    ...lines(`결과 번호 ${document.verification.resultId}`, 'verification.resultId', 'core', SMALL, captionWidth).map((cells) => ({ cells, s: SMALL })),
  ];
  const captionHeight = captions.reduce((sum, c) => sum + c.s.lineHeight, 0);
  const headLines = lines(document.issuingAgency.name, 'issuingAgency.name', 'core', headStyle, half - SEAL_SIZE / 2);
  const headHeight = headLines.length * headStyle.lineHeight;
  const bottomHeight = Math.max(qrSide, captionHeight, headHeight + SEAL_SIZE / 2);
  flow.advance(10);
  flow.ensure(appeal.length * SMALL.lineHeight + 6 + 2 * closingStyle.lineHeight + 12 + bottomHeight);
  if (appeal.length > 0) ts.flowLines(flow, appeal, left, SMALL);
  flow.advance(6);
  centred(CLOSING[document.kind], 'closing', closingStyle);
  centred(formatKoreanDate(decision.decidedAt), 'decision.decidedAt', closingStyle);
  flow.advance(12);

  const top = flow.y;
  flow.ops.push({ kind: 'qr', x: left, y: top - qrSide, moduleSize: qrSide / matrix.length, matrix });
  let captionTop = top;
  for (const { cells, s } of captions) {
    flow.ops.push(textOp(cells, captionX, baseline(captionTop, s.lineHeight, s.size), s));
    captionTop -= s.lineHeight;
  }
  // The agency's name sits level with the middle of the QR code; the seal is stamped over its end, as on paper.
  let headTop = top - Math.max(0, (qrSide - headHeight) / 2);
  let headEnd = { x: left + half, baseline: headTop };
  for (const cells of headLines) {
    const width = ts.width(cells, headStyle);
    const x = left + half + (half - width) / 2;
    const y = baseline(headTop, headStyle.lineHeight, headStyle.size);
    flow.ops.push(textOp(cells, x, y, headStyle));
    headEnd = { x: x + width, baseline: y };
    headTop -= headStyle.lineHeight;
  }
  const sealX = Math.min(headEnd.x - SEAL_SIZE * 0.25, right - SEAL_SIZE);
  const sealY = headEnd.baseline + 0.36 * headStyle.size - SEAL_SIZE / 2;
  const seal: SealPlacement = { pageIndex: flow.pageIndex, rect: [sealX, sealY, SEAL_SIZE, SEAL_SIZE] };
  flow.advance(bottomHeight);

  addFooters(flow, ts, `${document.issuingAgency.name} · ${document.title}`);
  return { pages: flow.pages, seal, sealText: document.issuingAgency.sealText ?? `${document.issuingAgency.name}인`, qrPayload: payload };
};

const addFooters = (flow: PageFlow, ts: Typesetter, caption: string) => {
  const { left, right } = flow.frame;
  const y = 30;
  const captionCells = ts.lines(caption, 'footer', 'core', SMALL, (right - left) * 0.75)[0] ?? [];
  flow.pages.forEach((ops, i) => {
    const pageNumber = ts.lines(`${i + 1} / ${flow.pages.length}`, 'footer', 'core', SMALL, 100)[0]!;
    ops.push({ kind: 'rule', x1: left, y1: y + 12, x2: right, y2: y + 12, lineWidth: 0.4, color: LIGHT_RULE });
    ops.push(textOp(captionCells, left, y, SMALL));
    ops.push(textOp(pageNumber, right - ts.width(pageNumber, SMALL), y, SMALL));
  });
};
