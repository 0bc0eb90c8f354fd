/**
 * A representative result notice (basic pension, three documents from three agencies): the
 * document measureRender times and the base that tests vary.
 */
import type { ResultDocument } from '../../shared/pdf/render/result-document.ts';

/** A complete basic-pension result; `overrides` replace top-level parts. */
export const sampleResultDocument = (overrides: Partial<ResultDocument> = {}): ResultDocument => ({
  kind: 'result',
  title: '기초연금 신청 결과 통지서',
  issuingAgency: { id: 'mohw', name: '보건복지부', nameEn: 'Ministry of Health and Welfare', sealText: '보건복지부장관인' },
  petition: {
    id: 'PT-2026-1124-000417',
    typeName: '기초연금 수급 신청',
    submittedAt: '2026-11-24T02:59:00.000Z',
    applicantName: '김영희',
    fields: [
      { label: '주소', value: '서울특별시 종로구 세종대로 209 (세종로, 정부서울청사) 101동 1203호' },
      { label: '연락처', value: '010-1234-5678' },
      { label: '배우자 유무', value: '있음 (배우자도 신청)' },
      { label: '수령 계좌', value: '국민은행 123456-01-234567 (예금주 김영희)' },
      { label: '신청 사유', value: '만 65세가 되어 기초연금을 신청합니다. 소득과 재산은 첨부 서류로 확인해 주십시오.' },
    ],
  },
  decision: {
    outcome: 'approve',
    label: '지급 결정',
    reasons: [
      '소득인정액이 선정기준액(단독가구 월 2,280,000원) 이하이므로 기초연금 지급 대상입니다.',
      '2026년 12월분부터 매월 25일에 신청하신 계좌로 지급됩니다. 國土交通部 공시가격 기준으로 재산을 평가하였습니다.',
    ],
    decidedAt: '2026-11-24T03:01:12.000Z',
  },
  evidence: [
    {
      document: '주민등록표 초본',
      issuingAgency: '행정안전부',
      retrievedAt: '2026-11-24T03:00:01.000Z',
      sha256: '3f1c6a4b2e8d9f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f607182',
    },
    {
      document: '소득금액증명',
      issuingAgency: '국세청',
      retrievedAt: '2026-11-24T03:00:02.000Z',
      sha256: 'a0b1c2d3e4f5061728394a5b6c7d8e9f00112233445566778899aabbccddeeff',
    },
    {
      document: '부동산 등기사항증명서',
      issuingAgency: '법원행정처',
      retrievedAt: '2026-11-24T03:00:03.000Z',
      sha256: '0f1e2d3c4b5a69788796a5b4c3d2e1f0ffeeddccbbaa99887766554433221100',
    },
  ],
  sealCertificate: {
    serial: '5A:3F:09:C1:7E:22:B4:10',
    subject: 'CN=보건복지부 전자직인, O=보건복지부, C=KR',
    issuer: 'CN=hanbeon Seal CA, O=hanbeon, C=KR',
    notAfter: '2028-11-24T00:00:00.000Z',
    applicationDigest: 'sha256:7d865e959b2466918c9863afca942d0fb89d7c9ac0c99bafc3749504ded97730',
  },
  verification: { url: 'https://verify.hanbeon.example/results', resultId: 'RS-2026-1124-000417' },
  ...overrides,
});
