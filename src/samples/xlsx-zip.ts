import { createReadStream } from 'node:fs';
import { FileHandle, open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { createInflateRaw } from 'node:zlib';
import { DomainError } from '../infra/errors/domain-error';
import {
  MAX_COMPRESSION_RATIO, MAX_TOTAL_UNCOMPRESSED_BYTES, MAX_XML_TEXT_RUN, MAX_ZIP_ENTRIES, megabytes, RATIO_FLOOR_BYTES,
} from './upload-limits';

/** One part of the zip, as its central directory describes it. */
export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  /** What the zip claims; a hostile file lies, so inflation is counted as well. */
  declaredSize: number;
  localHeaderOffset: number;
}

const SAVE_AS = 'Save the sample sheet on its own as CSV UTF-8 (or as a new .xlsx holding only the sample) and upload it again';

/** Refuses the file as a whole: 422 with a message that says what is wrong and what to do. */
export function refuseWorkbook(problem: string): DomainError {
  return new DomainError('file_rejected', `The .xlsx file cannot be accepted: ${problem}. ${SAVE_AS}.`, [{ where: 'file', message: problem }]);
}

/**
 * Reads an .xlsx (a zip) by its central directory, with random access: nothing is inflated
 * until it is asked for, parts are read in the order we need whatever their order in the file,
 * and entries hidden from the directory are never read.
 */
export class XlsxZip {
  private constructor(readonly path: string, private readonly handle: FileHandle, readonly entries: ZipEntry[]) {}

  static async open(path: string): Promise<XlsxZip> {
    const handle = await open(path, 'r');
    try {
      return new XlsxZip(path, handle, await readDirectory(handle));
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  find(name: string): ZipEntry | undefined {
    return this.entries.find((e) => e.name === name);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  /**
   * The part's text, decoded as UTF-8 chunk by chunk, counting the bytes really inflated: past
   * `limit`, past what the directory declared, or past the compression ratio, reading stops.
   */
  async *text(entry: ZipEntry, role: string, limit: number): AsyncGenerator<string> {
    if (entry.declaredSize > limit) throw refuseWorkbook(`its ${role} unpacks to more than ${megabytes(limit)}, the limit for a sample file`);
    const header = Buffer.alloc(30);
    await this.handle.read(header, 0, 30, entry.localHeaderOffset);
    if (header.readUInt32LE(0) !== 0x04034b50) throw refuseWorkbook(`the ${role} is damaged (no zip entry where the index points)`);
    const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    if (entry.compressedSize === 0) return;
    // Small reads: one 16 KB chunk of DEFLATE inflates to at most ~16 MB before it is counted.
    const source = createReadStream(this.path, { start, end: start + entry.compressedSize - 1, highWaterMark: 16 * 1024 });
    const inflate = entry.method === 8 ? createInflateRaw() : undefined;
    const bytes: AsyncIterable<Buffer> = inflate ? source.pipe(inflate) : source;
    const decoder = new StringDecoder('utf8');
    const runs = new TextRunGuard(role);
    let inflated = 0;
    try {
      for await (const chunk of bytes) {
        inflated += chunk.length;
        if (inflated > limit) throw refuseWorkbook(`its ${role} unpacks to more than ${megabytes(limit)}, the limit for a sample file`);
        if (inflated > entry.declaredSize) throw refuseWorkbook(`its ${role} unpacks to more than the zip's own index says (the file is damaged or forged)`);
        if (inflated > RATIO_FLOOR_BYTES && inflated > entry.compressedSize * MAX_COMPRESSION_RATIO) {
          throw refuseWorkbook(`its ${role} is compressed more than ${MAX_COMPRESSION_RATIO} times, as only a deliberately inflated file is`);
        }
        const text = decoder.write(chunk);
        runs.check(text);
        yield text;
      }
      const rest = decoder.end();
      if (rest) yield rest;
    } catch (error) {
      if (error instanceof DomainError) throw error;
      throw refuseWorkbook(`its ${role} cannot be unpacked (the file is damaged)`);
    } finally {
      inflate?.destroy();
      source.destroy();
    }
  }
}

/**
 * Text between two tags is held whole by the XML parser until the next '<': one endless run
 * would fill memory within the part's limit. Checked once per chunk, so it costs nothing.
 */
class TextRunGuard {
  private sinceTag = 0;
  constructor(private readonly role: string) {}

  check(text: string): void {
    const first = text.indexOf('<');
    if (first < 0) this.sinceTag += text.length;
    else {
      this.sinceTag += first;
      if (this.sinceTag > MAX_XML_TEXT_RUN) this.fail();
      // Runs inside the chunk are shorter than the chunk (≤ 64 KB of text), so only the tail carries over.
      this.sinceTag = text.length - 1 - text.lastIndexOf('<');
    }
    if (this.sinceTag > MAX_XML_TEXT_RUN) this.fail();
  }

  private fail(): never {
    throw refuseWorkbook(`its ${this.role} holds a single text or tag longer than ${megabytes(MAX_XML_TEXT_RUN)}`);
  }
}

/** End of central directory: the last 22 bytes, or further back by a comment of up to 64 KB. */
async function readDirectory(handle: FileHandle): Promise<ZipEntry[]> {
  const { size } = await handle.stat();
  const tailLength = Math.min(size, 22 + 0xffff);
  const tail = Buffer.alloc(tailLength);
  await handle.read(tail, 0, tailLength, size - tailLength);
  let eocd = -1;
  for (let i = tailLength - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw refuseWorkbook('it is not a complete zip file (it may have been cut short while uploading)');
  const count = tail.readUInt16LE(eocd + 10);
  const directorySize = tail.readUInt32LE(eocd + 12);
  const directoryOffset = tail.readUInt32LE(eocd + 16);
  // ZIP64 (marked by all-ones fields) is only needed past 65,535 parts or 4 GB: far beyond any sample.
  if (count > MAX_ZIP_ENTRIES || count === 0xffff) throw refuseWorkbook(`it holds more than ${MAX_ZIP_ENTRIES.toLocaleString('en-GB')} parts`);
  if (directoryOffset === 0xffffffff || directorySize === 0xffffffff || directoryOffset + directorySize > size) {
    throw refuseWorkbook('its zip index is damaged or larger than a sample file needs');
  }
  const directory = Buffer.alloc(directorySize);
  await handle.read(directory, 0, directorySize, directoryOffset);

  const entries: ZipEntry[] = [];
  let total = 0;
  for (let at = 0; entries.length < count; ) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== 0x02014b50) throw refuseWorkbook('its zip index is damaged');
    const nameLength = directory.readUInt16LE(at + 28);
    const entry: ZipEntry = {
      flags: directory.readUInt16LE(at + 8),
      method: directory.readUInt16LE(at + 10),
      compressedSize: directory.readUInt32LE(at + 20),
      declaredSize: directory.readUInt32LE(at + 24),
      localHeaderOffset: directory.readUInt32LE(at + 42),
      name: directory.toString('utf8', at + 46, at + 46 + nameLength),
    };
    at += 46 + nameLength + directory.readUInt16LE(at + 30) + directory.readUInt16LE(at + 32);
    if (entry.compressedSize === 0xffffffff || entry.declaredSize === 0xffffffff || entry.localHeaderOffset === 0xffffffff) {
      throw refuseWorkbook('one of its parts is larger than 4 GB');
    }
    if (entry.flags & 1) throw refuseWorkbook('it is password-protected');
    if (entry.method !== 0 && entry.method !== 8) throw refuseWorkbook('it uses a compression method Excel does not use');
    if (entry.localHeaderOffset + 30 + entry.compressedSize > size) throw refuseWorkbook('its zip index points past the end of the file');
    total += entry.declaredSize;
    if (total > MAX_TOTAL_UNCOMPRESSED_BYTES) throw refuseWorkbook(`it unpacks to more than ${megabytes(MAX_TOTAL_UNCOMPRESSED_BYTES)} in all, the limit for a sample file`);
    if (entry.declaredSize > RATIO_FLOOR_BYTES && entry.declaredSize > entry.compressedSize * MAX_COMPRESSION_RATIO) {
      throw refuseWorkbook(`one of its parts is compressed more than ${MAX_COMPRESSION_RATIO} times, as only a deliberately inflated file is`);
    }
    entries.push(entry);
  }
  return entries;
}
