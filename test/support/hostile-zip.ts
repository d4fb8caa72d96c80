import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants, crc32, deflateRawSync } from 'node:zlib';
import { COLUMNS, tmp } from './sample-files';

/** One part of a hand-made zip: its DEFLATE bytes, and the size it claims (true or not). */
export interface ZipPart { name: string; deflated: Buffer; declaredSize: number; crc?: number }

/** A part whose text is honest and small. */
export function part(name: string, text: string): ZipPart {
  const raw = Buffer.from(text, 'utf8');
  return { name, deflated: deflateRawSync(raw), declaredSize: raw.length, crc: crc32(raw) };
}

/**
 * DEFLATE of `head`, then `unit` repeated to about `bytes`, then `tail`, built in milliseconds:
 * one megabyte is compressed once with a full flush (which forgets everything before it), so
 * its compressed bytes can simply be repeated. Nothing of this size is ever held inflated.
 */
export function repeatedPart(name: string, head: string, unit: string, bytes: number, tail: string, declaredSize?: number): ZipPart {
  const block = Buffer.from(unit.repeat(Math.max(1, Math.floor(1024 * 1024 / unit.length))));
  const times = Math.ceil(bytes / block.length);
  const flush = { level: 9, finishFlush: constants.Z_FULL_FLUSH };
  const once = deflateRawSync(block, flush);
  const deflated = Buffer.concat([
    deflateRawSync(Buffer.from(head), flush),
    ...Array.from({ length: times }, () => once),
    deflateRawSync(Buffer.from(tail)),
  ]);
  const realSize = head.length + times * block.length + tail.length;
  return { name, deflated, declaredSize: declaredSize ?? realSize };
}

/** Local headers, data and a central directory, as a zip tool writes them; sizes as each part claims. */
export function writeZip(fileName: string, parts: ZipPart[]): string {
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const name = Buffer.from(p.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(p.crc ?? 0, 14);
    local.writeUInt32LE(p.deflated.length, 18);
    local.writeUInt32LE(Math.min(p.declaredSize, 0xfffffffe), 22);
    local.writeUInt16LE(name.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(p.crc ?? 0, 16);
    entry.writeUInt32LE(p.deflated.length, 20);
    entry.writeUInt32LE(Math.min(p.declaredSize, 0xfffffffe), 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    chunks.push(local, name, p.deflated);
    central.push(entry, name);
    offset += 30 + name.length + p.deflated.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  const path = join(tmp, fileName);
  writeFileSync(path, Buffer.concat([...chunks, directory, end]));
  return path;
}

/** The parts every workbook has, around the worksheet and shared strings a test supplies. */
export function workbookParts(): ZipPart[] {
  return [
    part('[Content_Types].xml', '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'),
    part('xl/workbook.xml', '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="Sample" sheetId="1"/></sheets></workbook>'),
  ];
}

export const SHEET_HEAD = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
export const SHEET_TAIL = '</sheetData></worksheet>';
/** The sample's header row, as inline strings: a reader that gets past it reads on. */
export const HEADER_ROW = `<row r="1">${COLUMNS.map((c, i) => `<c r="${String.fromCharCode(65 + (i % 26)).repeat(1 + Math.floor(i / 26))}1" t="inlineStr"><is><t>${c}</t></is></c>`).join('')}</row>`;
/** A row of the bomb: valid sheet XML, so only its size can stop it. */
export const BOMB_ROW = '<row r="2"><c r="A2" t="inlineStr"><is><t>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</t></is></c></row>';
