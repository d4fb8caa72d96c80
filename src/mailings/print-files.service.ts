import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { NotFoundError } from '../infra/errors/domain-error';
import { FileStore, StoredFileMissing } from '../infra/storage/file-store';
import { SurveysService } from '../surveys/surveys.service';
import { manifestOf } from './one-off-packs.service';

export interface PrintFileEntry {
  id: string;
  step: string;
  largePrint: boolean;
  batch: number;
  packs: number;
  pages: number;
  printedAt: string;
  pdf: string;
  manifest: string;
}

export interface OpenedFile {
  name: string;
  type: string;
  size: number;
  body: Readable;
}

export type PrintFilePart = 'pdf' | 'manifest';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TYPE = { pdf: 'application/pdf', manifest: 'text/csv; charset=utf-8' } as const;

/**
 * The print room's files, read from the file store: whichever machine wrote a file, the
 * service that is asked serves it. The database says which files exist; the store holds them.
 */
@Injectable()
export class PrintFilesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly surveys: SurveysService,
    private readonly store: FileStore,
  ) {}

  async list(surveyCode: string): Promise<PrintFileEntry[]> {
    const survey = await this.surveys.get(surveyCode);
    const rows = await this.dataSource.query(
      `SELECT id, step, large_print, batch_number, packs, pages, printed_at, pdf_path, manifest_path FROM print_batches
       WHERE survey_id = $1 AND status = 'printed' ORDER BY printed_at, run_id, large_print, batch_number`, [survey.id]);
    return rows.map((r: Record<string, unknown>) => ({
      id: r.id as string, step: r.step as string, largePrint: r.large_print as boolean, batch: r.batch_number as number,
      packs: r.packs as number, pages: r.pages as number, printedAt: (r.printed_at as Date).toISOString(),
      pdf: r.pdf_path as string, manifest: r.manifest_path as string,
    }));
  }

  /** A printed file's PDF or manifest, streamed from the store. */
  async printFile(surveyCode: string, id: string, part: PrintFilePart): Promise<OpenedFile> {
    const survey = await this.surveys.get(surveyCode);
    const [row] = UUID.test(id) ? await this.dataSource.query(
      `SELECT pdf_path, manifest_path FROM print_batches WHERE id = $1 AND survey_id = $2 AND status = 'printed'`, [id, survey.id]) : [];
    if (!row) throw new NotFoundError('This survey has no printed file with that id: list them at /api/surveys/<survey>/print-files', 'id');
    return this.open(part === 'pdf' ? row.pdf_path : row.manifest_path, part);
  }

  /** A printed one-off pack's PDF or its one-line manifest. */
  async oneOffPack(surveyCode: string, id: string, part: PrintFilePart): Promise<OpenedFile> {
    const survey = await this.surveys.get(surveyCode);
    const [row] = /^\d{1,18}$/.test(id) ? await this.dataSource.query(
      `SELECT pdf_path FROM one_off_packs WHERE id = $1 AND survey_id = $2 AND status = 'printed'`, [id, survey.id]) : [];
    if (!row) throw new NotFoundError('This survey has no printed one-off pack with that id', 'id');
    return this.open(part === 'pdf' ? row.pdf_path : manifestOf(row.pdf_path), part);
  }

  private async open(key: string, part: PrintFilePart): Promise<OpenedFile> {
    const info = await this.store.stat(key);
    if (!info) throw missing(key);
    const body = await this.store.read(key).catch((error) => { throw error instanceof StoredFileMissing ? missing(key) : error; });
    return { name: key.slice(key.lastIndexOf('/') + 1), type: TYPE[part], size: info.size, body };
  }
}

/** The database says printed but the store has no file: purged, or a store that is not the one the workers write to. */
const missing = (key: string) =>
  new NotFoundError(`The file ${key} is recorded as printed but is not in the file store: check that the service and the workers use the same STORAGE_URL`);

export const printFilePart = (value: string): PrintFilePart => {
  if (value === 'pdf' || value === 'manifest') return value;
  throw new NotFoundError('Ask for pdf or manifest', 'part');
};
