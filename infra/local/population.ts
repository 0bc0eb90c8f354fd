/**
 * The synthetic population the simulated agencies and the development identity provider share.
 * Deterministic: the same seed gives the same citizens, so tests and the README's examples are stable.
 */

export interface Citizen {
  subject: string;
  name: string;
  birthDate: string; // YYYY-MM-DD
  /** Held by the simulated agencies only; never requested by the platform, never logged. */
  residentRegistrationNumber: string;
  address: string;
  householdHead: boolean;
  moveInDate: string;
  maritalStatus: 'single' | 'married' | 'widowed' | 'divorced';
  spouseName?: string;
  /** Monthly recognised income (소득인정액), KRW. */
  monthlyIncome: number;
  /** Parcel numbers (지번) the citizen owns. */
  parcels: string[];
  taxArrears: boolean;
  /** Demo citizens are named in the README and the petition-type examples. */
  demo?: string;
}

/** Small, fast, seedable PRNG (mulberry32): good enough for synthetic records. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const FAMILY = ['김', '이', '박', '최', '정', '강', '조', '윤', '장', '임', '한', '오', '서', '신', '권'];
const GIVEN = ['민준', '서연', '도윤', '지우', '하준', '서윤', '은우', '지민', '영자', '순자', '영수', '정희', '미숙', '철수', '상훈'];
const DISTRICTS = ['서울특별시 종로구 세종대로', '서울특별시 마포구 월드컵로', '부산광역시 해운대구 해운대로', '대전광역시 서구 둔산로', '세종특별자치시 한누리대로', '광주광역시 북구 용봉로'];

const pad = (n: number, width: number) => String(n).padStart(width, '0');

const rrnFor = (birthDate: string, rand: () => number): string => {
  const [y, m, d] = birthDate.split('-');
  const century = Number(y) >= 2000 ? 3 : 1;
  return `${y!.slice(2)}${m}${d}-${century}${pad(Math.floor(rand() * 1_000_000), 6)}`;
};

/** Named citizens for demos and tests: each exercises one path of the petition types in templates/. */
const DEMO_CITIZENS: Omit<Citizen, 'residentRegistrationNumber'>[] = [
  // 기초연금: 72 years old, low income → approved.
  { subject: 'demo-kim-younghee', demo: '기초연금 approved (age 72, low income)', name: '김영희', birthDate: '1954-03-15', address: '서울특별시 종로구 세종대로 209', householdHead: true, moveInDate: '1998-05-02', maritalStatus: 'widowed', monthlyIncome: 850_000, parcels: [], taxArrears: false },
  // 기초연금: income just under the threshold → a case officer reviews.
  { subject: 'demo-lee-cheolsu', demo: '기초연금 borderline income → review', name: '이철수', birthDate: '1958-11-02', address: '부산광역시 해운대구 해운대로 570', householdHead: true, moveInDate: '2005-09-20', maritalStatus: 'married', spouseName: '정순자', monthlyIncome: 3_650_000, parcels: ['2611010100-10123-0000'], taxArrears: false },
  // Too young for 기초연금; owns land, buys more (property transfer), moves house (전입신고).
  { subject: 'demo-park-jiwoo', demo: 'working age: 기초연금 rejected; 전입신고 and 소유권이전등기 approved', name: '박지우', birthDate: '1988-07-21', address: '대전광역시 서구 둔산로 100', householdHead: false, moveInDate: '2019-02-11', maritalStatus: 'single', monthlyIncome: 4_200_000, parcels: ['3017011200-10045-0003'], taxArrears: false },
  // Has tax arrears: property transfer is rejected.
  { subject: 'demo-choi-minsu', demo: 'tax arrears: 소유권이전등기 rejected', name: '최민수', birthDate: '1975-01-30', address: '광주광역시 북구 용봉로 77', householdHead: true, moveInDate: '2011-04-01', maritalStatus: 'married', spouseName: '한미숙', monthlyIncome: 5_100_000, parcels: [], taxArrears: true },
];

/** Subjects no agency has a record of (EvidenceNotFound path). */
export const UNKNOWN_SUBJECT_PREFIX = 'ghost-';

export interface Population {
  readonly size: number;
  get(subject: string): Citizen | undefined;
  demo(): Citizen[];
  /** The n-th synthetic (non-demo) citizen, for load tests. */
  at(index: number): Citizen;
}

const syntheticCitizen = (seed: number, index: number): Citizen => {
  const rand = prng(seed * 1_000_003 + index);
  const year = 1930 + Math.floor(rand() * 75);
  const birthDate = `${year}-${pad(1 + Math.floor(rand() * 12), 2)}-${pad(1 + Math.floor(rand() * 28), 2)}`;
  const married = rand() < 0.55;
  return {
    subject: `citizen-${pad(index, 5)}`,
    name: `${FAMILY[Math.floor(rand() * FAMILY.length)]}${GIVEN[Math.floor(rand() * GIVEN.length)]}`,
    birthDate,
    residentRegistrationNumber: rrnFor(birthDate, rand),
    address: `${DISTRICTS[Math.floor(rand() * DISTRICTS.length)]} ${1 + Math.floor(rand() * 400)}`,
    householdHead: rand() < 0.5,
    moveInDate: `${2000 + Math.floor(rand() * 25)}-${pad(1 + Math.floor(rand() * 12), 2)}-${pad(1 + Math.floor(rand() * 28), 2)}`,
    maritalStatus: married ? 'married' : 'single',
    ...(married ? { spouseName: `${FAMILY[Math.floor(rand() * FAMILY.length)]}${GIVEN[Math.floor(rand() * GIVEN.length)]}` } : {}),
    monthlyIncome: Math.floor(rand() * 60) * 100_000,
    parcels: rand() < 0.4 ? [`11110${pad(Math.floor(rand() * 99999), 5)}-1${pad(index, 4)}-0000`] : [],
    taxArrears: rand() < 0.05,
  };
};

/** Builds the population: the demo citizens plus `size` synthetic ones (citizen-00000 …). */
export const createPopulation = (options: { seed?: number; size?: number } = {}): Population => {
  const seed = options.seed ?? 20261124;
  const size = options.size ?? 1000;
  const demo = DEMO_CITIZENS.map((c, i) => ({ ...c, residentRegistrationNumber: rrnFor(c.birthDate, prng(seed + i)) }));
  const bySubject = new Map<string, Citizen>(demo.map((c) => [c.subject, c]));
  const synthetic: Citizen[] = [];
  for (let i = 0; i < size; i++) {
    const citizen = syntheticCitizen(seed, i);
    synthetic.push(citizen);
    bySubject.set(citizen.subject, citizen);
  }
  return {
    size: bySubject.size,
    get: (subject) => bySubject.get(subject),
    demo: () => demo,
    at: (index) => synthetic[index % synthetic.length]!,
  };
};
