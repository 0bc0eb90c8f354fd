/**
 * Times as a Korean reader expects them on a notice: Korea Standard Time (UTC+9, no daylight
 * saving), computed by offset rather than Intl so rendering is cheap and identical everywhere.
 */
const KST_OFFSET_MS = 9 * 60 * 60 * 1000;

const inKst = (iso: string): Date => new Date(Date.parse(iso) + KST_OFFSET_MS);
const two = (n: number): string => String(n).padStart(2, '0');

/** '2026-11-24 12:03 KST' for an ISO time. */
export const formatKstDateTime = (iso: string): string => {
  const t = inKst(iso);
  return `${t.getUTCFullYear()}-${two(t.getUTCMonth() + 1)}-${two(t.getUTCDate())} ${two(t.getUTCHours())}:${two(t.getUTCMinutes())} KST`;
};

/** '2026년 11월 24일' (the date in Korea) for an ISO time. */
export const formatKoreanDate = (iso: string): string => {
  const t = inKst(iso);
  return `${t.getUTCFullYear()}년 ${t.getUTCMonth() + 1}월 ${t.getUTCDate()}일`;
};
