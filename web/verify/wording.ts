/**
 * The page's words: Korean first, English second, and the DSS word beside them, since auditors
 * compare our reports with the EU DSS library's (shared/pdf/verify/verdict.ts).
 */
import type { Indication, SubIndication } from '../../shared/pdf/verify/verdict.ts';

/** A phrase in both languages. */
export interface Phrase {
  readonly ko: string;
  readonly en: string;
}

export const INDICATION_WORDS: Record<Indication, Phrase> = {
  TOTAL_PASSED: { ko: '통과', en: 'Passed' },
  TOTAL_FAILED: { ko: '실패', en: 'Failed' },
  INDETERMINATE: { ko: '판단 불가', en: 'Indeterminate' },
};

export const SUB_INDICATION_WORDS: Record<SubIndication, Phrase> = {
  FORMAT_FAILURE: { ko: '서명 형식이 올바르지 않습니다', en: 'The signature is not well formed' },
  HASH_FAILURE: { ko: '서명 후 문서가 변경되었습니다', en: 'The document was changed after signing' },
  SIG_CRYPTO_FAILURE: { ko: '서명 값이 맞지 않습니다', en: 'The signature value does not verify' },
  REVOKED: { ko: '서명 인증서가 폐지되었습니다', en: 'The signing certificate was revoked' },
  EXPIRED: { ko: '인증서 유효기간이 지났습니다', en: 'A certificate had expired' },
  NOT_YET_VALID: { ko: '인증서가 아직 유효하지 않았습니다', en: 'A certificate was not yet valid' },
  SIG_CONSTRAINTS_FAILURE: { ko: '서명 속성이 요구 조건을 만족하지 않습니다', en: 'Signature attributes do not meet the constraints' },
  CHAIN_CONSTRAINTS_FAILURE: { ko: '인증서 경로가 요구 조건을 만족하지 않습니다', en: 'The certificate path does not meet the constraints' },
  CERTIFICATE_CHAIN_GENERAL_FAILURE: { ko: '인증서 경로를 검증할 수 없습니다', en: 'The certificate path could not be validated' },
  CRYPTO_CONSTRAINTS_FAILURE: { ko: '허용되지 않는 암호 알고리즘입니다', en: 'An algorithm is not acceptable' },
  CRYPTO_CONSTRAINTS_FAILURE_NO_POE: { ko: '허용되지 않는 암호 알고리즘이며 존재 시점 증거가 없습니다', en: 'An algorithm is not acceptable and there is no proof of existence' },
  TIMESTAMP_ORDER_FAILURE: { ko: '시점 확인 순서가 맞지 않습니다', en: 'Timestamps are out of order' },
  NO_SIGNING_CERTIFICATE_FOUND: { ko: '서명 인증서를 찾을 수 없습니다', en: 'No signing certificate found' },
  NO_CERTIFICATE_CHAIN_FOUND: { ko: '신뢰 기준까지 이어지는 인증서 경로가 없습니다', en: 'No certificate path to the trust anchor' },
  REVOKED_NO_POE: { ko: '인증서가 폐지되었고 폐지 이전 서명의 증거가 없습니다', en: 'Revoked, with no proof the signature existed before' },
  REVOKED_CA_NO_POE: { ko: '인증기관 인증서가 폐지되었고 존재 시점 증거가 없습니다', en: 'A CA certificate was revoked, with no proof of existence' },
  OUT_OF_BOUNDS_NO_POE: { ko: '유효기간 밖이며 존재 시점 증거가 없습니다', en: 'Out of the validity period, with no proof of existence' },
  OUT_OF_BOUNDS_NOT_REVOKED: { ko: '유효기간 밖이지만 폐지되지는 않았습니다', en: 'Out of the validity period but not revoked' },
  REVOCATION_OUT_OF_BOUNDS_NO_POE: { ko: '폐지 정보가 유효기간 밖입니다', en: 'Revocation data is out of its validity period' },
  TRY_LATER: { ko: '최신 폐지 목록이 필요합니다. 나중에 다시 시도하세요', en: 'Fresher revocation data is needed; try later' },
  SIGNED_DATA_NOT_FOUND: { ko: '서명 대상 데이터를 찾을 수 없습니다', en: 'The signed data was not found' },
};

/** Check names the verifier uses (verdict.ts `Check.name`); an unknown name is shown as it is. */
export const CHECK_WORDS: Readonly<Record<string, Phrase>> = {
  'byte-range': { ko: '서명 범위', en: 'Byte range' },
  'message-digest': { ko: '문서 해시', en: 'Message digest' },
  signature: { ko: '서명 값', en: 'Signature value' },
  'signing-certificate-v2': { ko: '서명 인증서 결속', en: 'Signing certificate binding' },
  chain: { ko: '인증서 경로', en: 'Certificate path' },
  timestamp: { ko: '시점 확인(타임스탬프)', en: 'Timestamp' },
  revocation: { ko: '폐지 여부', en: 'Revocation' },
  modifications: { ko: '서명 후 변경', en: 'Changes after signing' },
  'contents-padding': { ko: '서명 값 채움 영역', en: 'Contents padding' },
  'sub-filter': { ko: '서명 형식(SubFilter)', en: 'Signature format (SubFilter)' },
  cms: { ko: 'CMS 서명 구조', en: 'CMS structure' },
  'signed-attributes': { ko: '서명 속성', en: 'Signed attributes' },
  'signing-certificate': { ko: '서명 인증서', en: 'Signing certificate' },
  'certificate-validity': { ko: '인증서 유효기간', en: 'Certificate validity' },
  'claimed-signing-time': { ko: '서명자가 밝힌 서명 시각', en: 'Claimed signing time' },
  'applicant-seal-files': { ko: '전자 인감 첨부 파일', en: 'Applicant seal attachments' },
  'applicant-seal-certificate': { ko: '전자 인감 인증서', en: 'Applicant seal certificate' },
  'application-digest': { ko: '신청 내용 해시', en: 'Application digest' },
  'application-signature': { ko: '신청 내용 서명', en: 'Application signature' },
  'petition-id': { ko: '민원 번호 일치', en: 'Petition id' },
  'pdf-structure': { ko: 'PDF 구조', en: 'PDF structure' },
  dss: { ko: '장기 검증 자료(DSS)', en: 'Validation data (DSS)' },
  evidence: { ko: '증빙 서류 목록', en: 'Evidence list' },
};

/** A check's name in both languages (the raw name when the page does not know it). */
export const checkWords = (name: string): Phrase => CHECK_WORDS[name] ?? { ko: name, en: name };
