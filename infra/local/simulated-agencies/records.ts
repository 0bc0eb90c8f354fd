/**
 * What each simulated issuing agency knows: its documents, their fields and the record behind a
 * lookup key. Pure and deterministic — every value comes from the population or from a hash of
 * the lookup key — so tests, demos and restarts see the same records.
 */
import { createHash } from 'node:crypto';
import { UNKNOWN_SUBJECT_PREFIX, type Citizen, type Population } from '../population.ts';

/** Which petition value identifies the record: the citizen, a parcel (지번) or a building address. */
export type LookupBy = 'subject' | 'parcelNumber' | 'address';

export type DocumentRecord = Record<string, unknown>;

export interface DocumentDefinition {
  readonly agency: string;
  readonly documentType: string;
  readonly lookupBy: LookupBy;
  /** Every field the document carries; a request may ask for any subset. */
  readonly fields: readonly string[];
  /** The full record for `lookupKey`, or undefined when the agency has none. `now` is the issuing time. */
  find(lookupKey: string, population: Population, now: Date): DocumentRecord | undefined;
}

/** The simulated agencies, by id (the ids templates/agencies/*.json use). */
export const AGENCY_NAMES: Readonly<Record<string, string>> = {
  mois: '행정안전부',
  court: '법원행정처',
  nts: '국세청',
  molit: '국토교통부',
};

const hashOf = (...parts: string[]): Buffer => createHash('sha256').update(parts.join('\u0000')).digest();

/** A deterministic integer in [0, bound) drawn from the hash of `key`; `salt` gives independent draws. */
const draw = (key: string, salt: string, bound: number): number => hashOf(salt, key).readUInt32BE(0) % bound;

const pick = <T>(list: readonly T[], key: string, salt: string): T => list[draw(key, salt, list.length)]!;

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Subjects with the ghost prefix are the population's "no record anywhere" citizens. */
const citizenOf = (population: Population, subject: string): Citizen | undefined =>
  subject.startsWith(UNKNOWN_SUBJECT_PREFIX) ? undefined : population.get(subject);

// Parcel owners are found by scanning the population once; cached per population object.
const ownerIndexes = new WeakMap<Population, Map<string, Citizen>>();

const parcelOwners = (population: Population): Map<string, Citizen> => {
  let index = ownerIndexes.get(population);
  if (!index) {
    index = new Map();
    const demo = population.demo();
    // population.at wraps around, so stop at the synthetic count (size includes the demo citizens).
    const synthetic = Array.from({ length: population.size - demo.length }, (_, i) => population.at(i));
    for (const citizen of [...demo, ...synthetic]) {
      for (const parcel of citizen.parcels) index.set(parcel, citizen);
    }
    ownerIndexes.set(population, index);
  }
  return index;
};

/** 지번 as the population writes it: legal-dong code, main number (with mountain flag), sub number. */
const PARCEL_NUMBER = /^\d{10}-\d{5}-\d{4}$/;
/** Parcels in the reserved 0000… range are never registered (EvidenceNotFound path for land). */
const UNREGISTERED_PARCEL_PREFIX = '0000';

const LAND_CATEGORIES = ['대', '전', '답', '임야'] as const;
/** Rough official price per m² by land category, KRW, before the per-parcel spread. */
const PRICE_PER_SQUARE_METER: Record<(typeof LAND_CATEGORIES)[number], number> = { 대: 2_400_000, 전: 180_000, 답: 150_000, 임야: 40_000 };
const OWNER_FAMILY = ['김', '이', '박', '최', '정', '강', '조', '윤', '장', '임'];
const OWNER_GIVEN = ['동현', '수진', '현우', '예린', '성민', '유진', '재훈', '다은', '경호', '말순'];

const landRecord = (parcelNumber: string, population: Population): DocumentRecord | undefined => {
  if (parcelNumber.startsWith(UNREGISTERED_PARCEL_PREFIX)) return undefined;
  const owner = parcelOwners(population).get(parcelNumber);
  if (!owner && !PARCEL_NUMBER.test(parcelNumber)) return undefined;
  const landCategory = pick(LAND_CATEGORIES, parcelNumber, 'land-category');
  // 33.0 … 2,000.0 m², one decimal place as the register prints it.
  const areaSquareMeters = (330 + draw(parcelNumber, 'area', 19_671)) / 10;
  const spread = 0.6 + draw(parcelNumber, 'price', 81) / 100;
  return {
    parcelNumber,
    ownerName: owner?.name ?? `${pick(OWNER_FAMILY, parcelNumber, 'family')}${pick(OWNER_GIVEN, parcelNumber, 'given')}`,
    landCategory,
    areaSquareMeters,
    officialPrice: Math.round(areaSquareMeters * PRICE_PER_SQUARE_METER[landCategory] * spread),
  };
};

/** The 17 first-level divisions (시/도); a building address must start with one of them. */
export const PROVINCES = [
  '서울특별시', '부산광역시', '대구광역시', '인천광역시', '광주광역시', '대전광역시', '울산광역시',
  '세종특별자치시', '경기도', '강원특별자치도', '충청북도', '충청남도', '전북특별자치도', '전라남도',
  '경상북도', '경상남도', '제주특별자치도',
] as const;

const RESIDENTIAL_USES = ['detached-house', 'apartment', 'officetel'] as const;

const buildingRecord = (address: string): DocumentRecord | undefined => {
  if (!PROVINCES.some((province) => address.startsWith(province))) return undefined;
  return {
    address,
    // 상가 (shopping arcade) in the address is how the demo petitions reach the commercial-building path.
    mainUse: address.includes('상가') ? 'commercial' : pick(RESIDENTIAL_USES, address, 'main-use'),
    approvedAt: `${1975 + draw(address, 'approved-year', 49)}-${pad(1 + draw(address, 'approved-month', 12), 2)}-${pad(1 + draw(address, 'approved-day', 28), 2)}`,
  };
};

/** Tax years follow the Korean calendar year, so take the year in Asia/Seoul (UTC+9, no DST). */
const seoulYear = (now: Date): number => new Date(now.getTime() + 9 * 3_600_000).getUTCFullYear();

const bySubject = (fields: (citizen: Citizen, now: Date) => DocumentRecord) =>
  (lookupKey: string, population: Population, now: Date): DocumentRecord | undefined => {
    const citizen = citizenOf(population, lookupKey);
    return citizen && fields(citizen, now);
  };

/** Every document the simulated agencies issue. */
export const DOCUMENTS: readonly DocumentDefinition[] = [
  {
    agency: 'mois',
    documentType: 'resident-registration',
    lookupBy: 'subject',
    fields: ['name', 'birthDate', 'address', 'moveInDate', 'householdHead'],
    find: bySubject((c) => ({ name: c.name, birthDate: c.birthDate, address: c.address, moveInDate: c.moveInDate, householdHead: c.householdHead })),
  },
  {
    agency: 'court',
    documentType: 'family-relations',
    lookupBy: 'subject',
    fields: ['name', 'birthDate', 'maritalStatus', 'spouseName'],
    // spouseName is null rather than absent so a request for it always gets an answer.
    find: bySubject((c) => ({ name: c.name, birthDate: c.birthDate, maritalStatus: c.maritalStatus, spouseName: c.spouseName ?? null })),
  },
  {
    agency: 'nts',
    documentType: 'income-certificate',
    lookupBy: 'subject',
    fields: ['monthlyIncome', 'assessedYear'],
    find: bySubject((c, now) => ({ monthlyIncome: c.monthlyIncome, assessedYear: seoulYear(now) - 1 })),
  },
  {
    agency: 'nts',
    documentType: 'tax-payment-certificate',
    lookupBy: 'subject',
    fields: ['name', 'taxArrears'],
    find: bySubject((c) => ({ name: c.name, taxArrears: c.taxArrears })),
  },
  {
    agency: 'molit',
    documentType: 'land-register',
    lookupBy: 'parcelNumber',
    fields: ['parcelNumber', 'ownerName', 'landCategory', 'areaSquareMeters', 'officialPrice'],
    find: (lookupKey, population) => landRecord(lookupKey, population),
  },
  {
    agency: 'molit',
    documentType: 'building-register',
    lookupBy: 'address',
    fields: ['address', 'mainUse', 'approvedAt'],
    find: (lookupKey) => buildingRecord(lookupKey),
  },
];

/** The documents one agency issues, by document type; empty for an unknown agency. */
export const documentsOf = (agency: string): ReadonlyMap<string, DocumentDefinition> =>
  new Map(DOCUMENTS.filter((d) => d.agency === agency).map((d) => [d.documentType, d]));

/** A stable document number for one issuance: the same request gets the same number. */
export const documentNumberFor = (parts: { agency: string; documentType: string; lookupKey: string; subject: string; purpose: string }): string => {
  const hex = hashOf(parts.agency, parts.documentType, parts.lookupKey, parts.subject, parts.purpose).toString('hex').slice(0, 16).toUpperCase();
  return `${parts.agency.toUpperCase()}-${hex.match(/.{4}/g)!.join('-')}`;
};
