import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/**
 * Clearly synthetic sample files with a planted mix of rejections, exclusions and
 * duplicates, so an import can be checked against exactly known counts. NHS numbers come
 * from the 999 range, which the NHS keeps for testing; addresses are on "Synthetic Street".
 */
export interface GeneratedSample {
  rows: number;
  planted: {
    rejected: number;
    excluded: { under_16: number; over_15: number; outside_period: number; not_cancer: number; private_patient: number; no_address: number; deceased: number; duplicate: number };
    sampled: number;
  };
  /** NHS numbers to put on the survey's deceased list before importing. */
  deceased: string[];
}

export interface GeneratorOptions {
  trustCode: string;
  rows: number;
  seed?: number;
  periodStart?: string; // defaults to CPES-2026's April–June
  periodEnd?: string;
}

const HEADER = 'trust_code,site_code,patient_record_number,nhs_number,title,first_name,surname,address_1,address_2,address_3,address_4,address_5,postcode,date_of_birth,sex,ethnicity,icd10,admission_date,discharge_date,patient_type,nhs_funded,sub_icb_code,email,mobile';
const FIRST = ['Łukasz', 'Nguyễn Thị', 'Siobhán', 'Amara', 'Oluwaseun', 'Zofia', 'Rhys', 'Priya', 'Chloé', 'Mohammed', 'Aoife', 'Dmitri'];
const SURNAMES = ['Synthetic', "O'Testing", 'Wiśniewski-Sample', 'Fixture', 'Ánh Example', 'Placeholder', 'Mockford', 'Dummyson'];
const CODES = ['C50.9', 'C509', 'C18', 'C34.1', 'C61', 'C43.5', 'D05.1', 'C67.9'];

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A valid test-range NHS number for a counter (skipping the stems whose check digit would be 10). */
export function syntheticNhsNumber(n: number): string {
  for (let k = n * 2; ; k++) {
    const stem = `999${String(k).padStart(6, '0')}`;
    let sum = 0;
    for (let i = 0; i < 9; i++) sum += Number(stem[i]) * (10 - i);
    const check = (11 - (sum % 11)) % 11;
    if (check !== 10) return stem + check;
  }
}

function badCheckDigit(valid: string): string {
  return valid.slice(0, 9) + ((Number(valid[9]) + 1) % 10);
}

const iso = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (date: string, days: number) => iso(new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000));
const ukDate = (isoDate: string) => `${isoDate.slice(8, 10)}/${isoDate.slice(5, 7)}/${isoDate.slice(0, 4)}`;
const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export async function generateSampleFile(path: string, options: GeneratorOptions): Promise<GeneratedSample> {
  const random = rng(options.seed ?? 2026);
  const start = options.periodStart ?? '2026-04-01';
  const end = options.periodEnd ?? '2026-06-30';
  const span = (Date.parse(end) - Date.parse(start)) / 86_400_000;
  const out = createWriteStream(path);
  const write = async (line: string) => {
    if (!out.write(line + '\r\n')) await once(out, 'drain');
  };
  const result: GeneratedSample = {
    rows: options.rows,
    planted: { rejected: 0, excluded: { under_16: 0, over_15: 0, outside_period: 0, not_cancer: 0, private_patient: 0, no_address: 0, deceased: 0, duplicate: 0 }, sampled: 0 },
    deceased: [],
  };
  // Eligible rows a later duplicate can copy: [nhs number, discharge date].
  const eligible: [string, string][] = [];

  await write('\uFEFF' + HEADER);
  for (let i = 1; i <= options.rows; i++) {
    const nhs = syntheticNhsNumber(i);
    const discharge = addDays(start, Math.floor(random() * span));
    const admission = addDays(discharge, -Math.floor(random() * 10));
    const row = {
      // Record numbers as long as some trusts' (16 characters): long enough that V8 keeps them as
      // views of the file's chunks unless the importer copies them.
      trust: options.trustCode, site: `${options.trustCode}01`, prn: `${options.trustCode}-MRN-${String(i).padStart(8, '0')}`,
      nhs: random() < 0.5 ? `${nhs.slice(0, 3)} ${nhs.slice(3, 6)} ${nhs.slice(6)}` : nhs,
      title: random() < 0.5 ? 'Ms' : 'Mr', first: FIRST[i % FIRST.length], surname: SURNAMES[i % SURNAMES.length],
      a1: `${1 + (i % 200)} Synthetic Street`, a2: random() < 0.3 ? 'Flat 2, "The Annexe"' : 'Testville', a3: 'Fixtureshire', a4: '', a5: '',
      postcode: `LS${1 + (i % 28)} ${i % 10}AB`, dob: iso(new Date(Date.UTC(1930 + Math.floor(random() * 70), Math.floor(random() * 12), 1 + Math.floor(random() * 28)))),
      sex: String(1 + (i % 2)), ethnicity: 'A', icd10: CODES[i % CODES.length], admission, discharge,
      type: String(1 + (i % 2)), funded: 'Y', subIcb: '15F', email: i % 3 === 0 ? `patient${i}@example.invalid` : '', mobile: '',
    };
    const roll = random();
    let outcome: string;
    if (nhs.length > 10) {
      // Past 500,000 rows the test range has no numbers left: the row is unreadable, and planned so.
      outcome = 'rejected';
    } else if (roll < 0.03) {
      outcome = 'rejected';
      const kind = i % 5;
      if (kind === 0) row.nhs = badCheckDigit(nhs);
      else if (kind === 1) row.dob = '31/02/1950';
      else if (kind === 2) row.surname = '';
      else if (kind === 3) row.postcode = 'NOT A POSTCODE';
      else row.sex = '3';
    } else if (roll < 0.04) {
      outcome = 'under_16'; row.dob = addDays(discharge, -15 * 365);
    } else if (roll < 0.07) {
      outcome = 'outside_period'; row.discharge = addDays(end, 1 + Math.floor(random() * 30)); row.admission = row.discharge;
    } else if (roll < 0.09) {
      outcome = 'not_cancer'; row.icd10 = random() < 0.5 ? 'I21.0' : 'D04.9';
    } else if (roll < 0.10) {
      outcome = 'private_patient'; row.funded = 'N';
    } else if (roll < 0.11) {
      outcome = 'no_address';
      if (random() < 0.5) row.postcode = 'ZZ99 3VZ'; else { row.a2 = ''; row.a3 = ''; }
    } else if (roll < 0.115) {
      outcome = 'deceased'; result.deceased.push(nhs);
    } else if (roll < 0.135 && eligible.length) {
      // Same patient as an earlier eligible row, discharged earlier: this row is the duplicate.
      outcome = 'duplicate';
      const [copyNhs, copyDischarge] = eligible[Math.floor(random() * eligible.length)];
      row.nhs = copyNhs;
      row.discharge = copyDischarge;
      row.admission = addDays(copyDischarge, -20); // same discharge, earlier admission: loses the tie-break
    } else {
      outcome = 'sampled';
      eligible.push([nhs, row.discharge]);
    }
    if (outcome !== 'rejected' && random() < 0.5) {
      row.dob = ukDate(row.dob);
      row.discharge = ukDate(row.discharge);
    }
    if (outcome === 'rejected') result.planted.rejected++;
    else if (outcome === 'sampled') result.planted.sampled++;
    else result.planted.excluded[outcome as keyof GeneratedSample['planted']['excluded']]++;
    await write([
      row.trust, row.site, row.prn, row.nhs, row.title, row.first, row.surname, row.a1, row.a2, row.a3, row.a4, row.a5,
      row.postcode, row.dob, row.sex, row.ethnicity, row.icd10, row.admission, row.discharge, row.type, row.funded,
      row.subIcb, row.email, row.mobile,
    ].map(quote).join(','));
  }
  out.end();
  await once(out, 'finish');
  return result;
}
