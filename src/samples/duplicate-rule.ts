import type { SampleRecord } from './sample-row';

/**
 * Rule 7 applied as the file streams: of the eligible rows sharing an NHS number, keep the
 * latest discharge, then the latest admission, then the earlier row. A row that loses is never
 * stored; a stored row that a later row beats is listed in `displaced` for one delete at the end.
 * One map entry and two numbers per NHS number: a few MB for a national file, and no second
 * pass over the table.
 */
export class DuplicateRule {
  private readonly slots = new Map<string, number>();
  private readonly keptRows: number[] = [];
  /** Discharge then admission date as one number, YYYYMMDDYYYYMMDD: larger is later. */
  private readonly keptDates: number[] = [];
  /** Row numbers already stored that a later row beat. */
  readonly displaced: number[] = [];
  /** Rows excluded as duplicates so far. */
  excluded = 0;

  /** True when the row is, for now, the one kept for its NHS number and should be stored. */
  admit(record: Pick<SampleRecord, 'nhsNumber' | 'rowNumber' | 'dischargeDate' | 'admissionDate'>): boolean {
    const dates = isoDay(record.dischargeDate) * 1e8 + isoDay(record.admissionDate);
    const slot = this.slots.get(record.nhsNumber);
    if (slot === undefined) {
      this.slots.set(record.nhsNumber, this.keptRows.length);
      this.keptRows.push(record.rowNumber);
      this.keptDates.push(dates);
      return true;
    }
    this.excluded++;
    // On a full tie the earlier row, already kept, stays.
    if (dates <= this.keptDates[slot]) return false;
    this.displaced.push(this.keptRows[slot]);
    this.keptRows[slot] = record.rowNumber;
    this.keptDates[slot] = dates;
    return true;
  }
}

/** "2026-05-17" → 20260517. */
function isoDay(iso: string): number {
  return Number(iso.slice(0, 4)) * 10_000 + Number(iso.slice(5, 7)) * 100 + Number(iso.slice(8, 10));
}
