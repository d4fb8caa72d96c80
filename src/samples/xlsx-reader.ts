import WorksheetReader from 'exceljs/lib/stream/xlsx/worksheet-reader';
import parseSax from 'exceljs/lib/utils/parse-sax';
import { isDateFmt } from 'exceljs/lib/utils/utils';
import { DomainError } from '../infra/errors/domain-error';
import type { FileRow } from './sample-file-reader';
import {
  MAX_CELL_CHARS, MAX_COLUMNS, MAX_ROW_XML_BYTES, MAX_SHARED_STRINGS, MAX_SHARED_STRINGS_BYTES, MAX_SHARED_STRINGS_CHARS,
  MAX_SMALL_PART_BYTES, MAX_WORKSHEET_BYTES, megabytes,
} from './upload-limits';
import { refuseWorkbook, XlsxZip, ZipEntry } from './xlsx-zip';

/**
 * The first worksheet's rows (header first). We open the zip ourselves so every part is read
 * under a limit on what it really inflates to (see upload-limits.ts), shared strings and styles
 * before the sheet whatever the zip's order, and only exceljs's row parser sees the XML.
 */
export async function* readXlsx(path: string): AsyncIterable<FileRow> {
  let zip: XlsxZip | undefined;
  try {
    zip = await XlsxZip.open(path);
    const sheet = firstWorksheet(zip);
    if (!sheet) throw refuseWorkbook('it holds no worksheet');
    const workbookPart = zip.find('xl/workbook.xml');
    const workbookXml = workbookPart ? await wholeText(zip.text(workbookPart, 'workbook part', MAX_SMALL_PART_BYTES)) : '';
    const date1904 = /<(?:\w+:)?workbookPr\b[^>]*\bdate1904="(?:1|true)"/.test(workbookXml);
    const stylesPart = zip.find('xl/styles.xml');
    const styles = stylesPart ? await readDateStyles(zip, stylesPart) : new DateStyles();
    const stringsPart = zip.find('xl/sharedStrings.xml');
    const sharedStrings = stringsPart ? await readSharedStrings(zip, stringsPart) : [];

    // Bytes of sheet XML fed since the last row came out: a row (or cell) that never closes stops here.
    let sinceRow = 0;
    const sheetXml = zip.text(sheet, 'worksheet', MAX_WORKSHEET_BYTES);
    async function* rowBounded(): AsyncGenerator<string> {
      for await (const chunk of sheetXml) {
        sinceRow += chunk.length;
        if (sinceRow > MAX_ROW_XML_BYTES) throw refuseWorkbook(`a row of its worksheet is larger than ${megabytes(MAX_ROW_XML_BYTES)}`);
        yield chunk;
      }
    }
    const reader = new WorksheetReader({
      workbook: { sharedStrings, styles, properties: { model: { date1904 } } },
      id: 1, iterator: rowBounded(), options: { worksheets: 'emit', hyperlinks: 'ignore' },
    });

    let dateColumns: number[] = [];
    for await (const row of reader) {
      sinceRow = 0;
      const values = row.values.slice(1, MAX_COLUMNS + 1); // exceljs rows are 1-based; far-right cells are never read
      if (row.number === 1) {
        dateColumns = values.flatMap((v, i) => (/date/i.test(String(v ?? '')) ? [i] : []));
      } else {
        // A date cell whose style says nothing of dates arrives as an Excel serial number.
        for (const i of dateColumns) if (typeof values[i] === 'number') values[i] = excelSerialDate(values[i] as number);
      }
      yield { rowNumber: row.number, cells: Array.from(values, cellText) };
    }
  } catch (error) {
    if (error instanceof DomainError) throw error;
    // The library's own words can quote the file's content: never passed on.
    throw new DomainError('file_rejected', 'The .xlsx file cannot be read: save it again from Excel as .xlsx or as CSV UTF-8, and upload it again');
  } finally {
    await zip?.close();
  }
}

/** xl/worksheets/sheetN.xml first in the zip, as Excel writes the first sheet. */
function firstWorksheet(zip: XlsxZip): ZipEntry | undefined {
  return zip.entries.find((e) => /^xl\/worksheets\/sheet\d+\.xml$/.test(e.name));
}

async function wholeText(chunks: AsyncIterable<string>): Promise<string> {
  let text = '';
  for await (const chunk of chunks) text += chunk;
  return text;
}

const localName = (name: string) => name.slice(name.indexOf(':') + 1);

/**
 * Each shared string as plain text (rich-text runs joined, phonetic guides left out), counted
 * as it is read. Kept as strings of their own, not views of the parser's chunks, so the table
 * holds what it says and not the XML it came from.
 */
async function readSharedStrings(zip: XlsxZip, part: ZipEntry): Promise<string[]> {
  const strings: string[] = [];
  let chars = 0;
  let current: string | null = null;
  let inText = 0;
  let inPhonetic = 0;
  for await (const events of parseSax(zip.text(part, 'shared strings table', MAX_SHARED_STRINGS_BYTES))) {
    for (const event of events) {
      if (event.eventType === 'text') {
        if (current === null || !inText || inPhonetic) continue;
        current += event.value;
        chars += event.value.length;
        if (current.length > MAX_CELL_CHARS) throw refuseWorkbook(`a text in its shared strings table is longer than Excel allows (${MAX_CELL_CHARS.toLocaleString('en-GB')} characters)`);
        if (chars > MAX_SHARED_STRINGS_CHARS) {
          throw refuseWorkbook(`its shared strings table holds more than ${MAX_SHARED_STRINGS_CHARS.toLocaleString('en-GB')} characters, more than a sample file needs`);
        }
        continue;
      }
      const name = localName(event.value.name);
      const open = event.eventType === 'opentag' ? 1 : -1;
      if (name === 't') inText += open;
      else if (name === 'rPh') inPhonetic += open;
      else if (name === 'si' && open === 1) current = '';
      else if (name === 'si') {
        if (strings.length >= MAX_SHARED_STRINGS) {
          throw refuseWorkbook(`its shared strings table holds more than ${MAX_SHARED_STRINGS.toLocaleString('en-GB')} texts, more than a sample file needs`);
        }
        strings.push(current === null ? '' : current.length < 13 ? current : Buffer.from(current, 'utf8').toString('utf8'));
        current = null;
      }
    }
  }
  return strings;
}

/** Built-in number formats that show a date or time (ECMA-376 §18.8.30, CJK ones included). */
const BUILT_IN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);
/** Excel allows 64,000 cell formats; beyond that, cells read as numbers (date columns are still converted). */
const MAX_CELL_FORMATS = 65_536;

/** Only what tells a date cell from a number: one flag per cell format, not exceljs's whole style model. */
class DateStyles {
  private static readonly DATE = { numFmt: 'yyyy-mm-dd' };
  readonly dateFormats: boolean[] = [];
  getStyleModel(id: number): object | null {
    return this.dateFormats[id] ? DateStyles.DATE : null;
  }
}

async function readDateStyles(zip: XlsxZip, part: ZipEntry): Promise<DateStyles> {
  const styles = new DateStyles();
  const customDates = new Set<number>();
  let inCellFormats = false;
  for await (const events of parseSax(zip.text(part, 'styles part', MAX_SMALL_PART_BYTES))) {
    for (const event of events) {
      if (event.eventType === 'text') continue;
      const name = localName(event.value.name);
      if (event.eventType === 'closetag') {
        if (name === 'cellXfs') inCellFormats = false;
        continue;
      }
      const attributes = event.value.attributes;
      if (name === 'numFmt' && isDateFmt(attributes.formatCode ?? '')) customDates.add(Number(attributes.numFmtId));
      else if (name === 'cellXfs') inCellFormats = true;
      else if (name === 'xf' && inCellFormats && styles.dateFormats.length < MAX_CELL_FORMATS) {
        const format = Number(attributes.numFmtId ?? 0);
        styles.dateFormats.push(BUILT_IN_DATE_FORMATS.has(format) || customDates.has(format));
      }
    }
  }
  return styles;
}

/** Excel's 1900 date system: day 1 is 1900-01-01, and serial 60 is its phantom 29 February. */
function excelSerialDate(serial: number): Date {
  return new Date(Date.UTC(1899, 11, 30) + Math.round(serial) * 86_400_000);
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    const v = value as { richText?: { text: string }[]; text?: string; result?: unknown };
    if (v.richText) return v.richText.map((r) => r.text).join('');
    if (v.text !== undefined) return String(v.text);
    if (v.result !== undefined) return cellText(v.result);
    return '';
  }
  return String(value);
}
