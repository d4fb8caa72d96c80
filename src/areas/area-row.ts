import type { ErrorDetail } from '../infra/errors/domain-error';

export const AREA_COLUMNS = ['postcode', 'imd_decile', 'sub_icb_code', 'icb_code', 'icb_name', 'cancer_alliance_code', 'cancer_alliance_name'] as const;
export type AreaColumn = (typeof AREA_COLUMNS)[number];

export interface AreaRow {
  /** Upper case, no spaces: how patients' postcodes are compared with it. */
  postcode: string;
  imdDecile: number | null;
  subIcbCode: string;
  icbCode: string;
  icbName: string;
  allianceCode: string;
  allianceName: string;
}

/** Where each column is in the file; missing names the absent ones. */
export function mapAreaHeader(cells: string[]): { index: Record<AreaColumn, number>; missing: AreaColumn[]; repeated: string[] } {
  const names = cells.map((c) => (c ?? '').replace(/^\uFEFF/, '').trim().toLowerCase());
  const index = Object.fromEntries(AREA_COLUMNS.map((c) => [c, names.indexOf(c)])) as Record<AreaColumn, number>;
  return {
    index,
    missing: AREA_COLUMNS.filter((c) => index[c] < 0),
    repeated: AREA_COLUMNS.filter((c) => names.indexOf(c) !== names.lastIndexOf(c)),
  };
}

// Postcodes are compared without spaces, so the inward and outward codes are only told apart by shape.
const POSTCODE = /^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$/;
// ODS (15F, QWO) or GSS (E38000001, E54000008, E56000001) codes.
const AREA_CODE = /^[A-Z0-9]{3,9}$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Reads one data row; problems name the row (as a spreadsheet numbers it) and column, never the value. */
export function readAreaRow(cells: string[], rowNumber: number, index: Record<AreaColumn, number>): { row?: AreaRow; problems: ErrorDetail[] } {
  const problems: ErrorDetail[] = [];
  const cell = (c: AreaColumn) => (cells[index[c]] ?? '').trim();
  const problem = (c: AreaColumn, message: string) => problems.push({ where: `row ${rowNumber}, ${c}`, message });

  const postcode = cell('postcode').toUpperCase().replace(/\s+/g, '');
  if (!postcode) problem('postcode', 'is empty');
  else if (!POSTCODE.test(postcode)) problem('postcode', 'is not a UK postcode');

  const decileText = cell('imd_decile');
  let imdDecile: number | null = null;
  if (decileText) {
    imdDecile = /^\d{1,2}$/.test(decileText) ? Number(decileText) : NaN;
    if (!(imdDecile >= 1 && imdDecile <= 10)) problem('imd_decile', 'must be a whole number from 1 to 10, or blank when not known');
  }

  const code = (c: AreaColumn) => {
    const value = cell(c).toUpperCase();
    if (!value) problem(c, 'is empty');
    else if (!AREA_CODE.test(value)) problem(c, 'must be an ODS or GSS code: 3 to 9 letters and digits');
    return value;
  };
  const name = (c: AreaColumn) => {
    const value = cell(c);
    if (!value) problem(c, 'is empty');
    else if (value.length > 200) problem(c, 'is longer than 200 characters');
    else if (CONTROL.test(value)) problem(c, 'contains a control character');
    return value;
  };
  const row: AreaRow = {
    postcode, imdDecile, subIcbCode: code('sub_icb_code'), icbCode: code('icb_code'), icbName: name('icb_name'),
    allianceCode: code('cancer_alliance_code'), allianceName: name('cancer_alliance_name'),
  };
  return problems.length ? { problems } : { row, problems };
}

/**
 * The hierarchy the rows describe: each sub-ICB in one ICB, each ICB in one Cancer Alliance with
 * one name, each alliance with one name. A row that contradicts an earlier one is a problem.
 */
export class AreaHierarchy {
  readonly subIcbs = new Map<string, { icb: string; row: number }>();
  readonly icbs = new Map<string, { name: string; alliance: string; row: number }>();
  readonly alliances = new Map<string, { name: string; row: number }>();

  add(r: AreaRow, rowNumber: number): ErrorDetail[] {
    const problems: ErrorDetail[] = [];
    const clash = (column: AreaColumn, what: string, row: number) =>
      problems.push({ where: `row ${rowNumber}, ${column}`, message: `differs from row ${row}, which gives the same ${what}` });
    const sub = this.subIcbs.get(r.subIcbCode);
    if (!sub) this.subIcbs.set(r.subIcbCode, { icb: r.icbCode, row: rowNumber });
    else if (sub.icb !== r.icbCode) clash('icb_code', 'sub_icb_code another ICB', sub.row);
    const icb = this.icbs.get(r.icbCode);
    if (!icb) this.icbs.set(r.icbCode, { name: r.icbName, alliance: r.allianceCode, row: rowNumber });
    else {
      if (icb.name !== r.icbName) clash('icb_name', 'icb_code another name', icb.row);
      if (icb.alliance !== r.allianceCode) clash('cancer_alliance_code', 'icb_code another Cancer Alliance', icb.row);
    }
    const alliance = this.alliances.get(r.allianceCode);
    if (!alliance) this.alliances.set(r.allianceCode, { name: r.allianceName, row: rowNumber });
    else if (alliance.name !== r.allianceName) clash('cancer_alliance_name', 'cancer_alliance_code another name', alliance.row);
    return problems;
  }
}
