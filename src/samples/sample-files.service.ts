import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { DomainError, NotFoundError } from '../infra/errors/domain-error';
import { SurveysService } from '../surveys/surveys.service';
import { SampleFile } from './sample-file.entity';
import type { SampleFileReport } from './sample-report';
import type { RowProblem } from './sample-row';

type SampleFileSummary = Omit<SampleFileReport, 'rejectedRows' | 'warnings'>;

function fileSummary(f: SampleFile, surveyCode: string): SampleFileSummary {
  return {
    fileId: f.id, survey: surveyCode, trust: f.trustCode, fileName: f.fileName, format: f.format,
    uploadedAt: f.uploadedAt.toISOString(), uploadedBy: f.uploadedBy, status: f.status, rejection: f.rejection,
    current: f.status === 'accepted' && !f.supersededAt, rowsRead: f.rowsRead, rowsRejected: f.rowsRejected,
    excluded: f.excluded, sampled: f.sampled,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SampleStatusRow {
  trust: string;
  name: string;
  currentFileId: string | null;
  uploadedAt: string | null;
  rowsRead: number;
  sampled: number;
  uploads: number;
}

/** Reading uploads back (reports, status per trust) and locking a survey's sample. */
@Injectable()
export class SampleFilesService {
  constructor(
    @InjectRepository(SampleFile) private readonly files: Repository<SampleFile>,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly surveys: SurveysService,
  ) {}

  async report(fileId: string, scope?: { surveyCode: string; trustCode: string }): Promise<SampleFileReport> {
    const file = UUID.test(fileId) ? await this.files.findOneBy({ id: fileId }) : null;
    const survey = file && (await this.surveys.getById(file.surveyId));
    // A file outside the requested survey and trust is "not found", never another trust's report.
    if (!file || !survey || (scope && (scope.surveyCode !== survey.code || scope.trustCode !== file.trustCode))) {
      throw new NotFoundError('No sample file of this survey and trust has that id: check the file id', 'id');
    }
    const problems: { row_number: number; column_name: string; severity: string; message: string }[] =
      await this.dataSource.query(
        `SELECT row_number, column_name, severity, message FROM sample_file_problems
         WHERE sample_file_id = $1 ORDER BY row_number, severity, column_name`, [file.id]);
    const pick = (severity: string): RowProblem[] => problems.filter((p) => p.severity === severity)
      .map((p) => ({ row: p.row_number, column: p.column_name, message: p.message }));
    return { ...fileSummary(file, survey.code), rejectedRows: pick('rejected'), warnings: pick('warning') };
  }

  async list(surveyCode: string, trustCode: string): Promise<SampleFileSummary[]> {
    const survey = await this.surveys.get(surveyCode);
    const files = await this.files.find({ where: { surveyId: survey.id, trustCode }, order: { uploadedAt: 'DESC' } });
    return files.map((f) => fileSummary(f, survey.code));
  }

  /** One row per trust: whether its sample is in, and how many patients it holds. */
  async status(surveyCode: string): Promise<{ survey: string; lockedAt: string | null; trusts: SampleStatusRow[] }> {
    const survey = await this.surveys.get(surveyCode);
    const rows = await this.dataSource.query(
      `SELECT t.code AS trust, t.name, f.id AS current_file_id, f.uploaded_at, coalesce(f.rows_read, 0) AS rows_read,
              coalesce(f.sampled, 0) AS sampled,
              (SELECT count(*)::int FROM sample_files a WHERE a.survey_id = $1 AND a.trust_code = t.code) AS uploads
       FROM trusts t
       LEFT JOIN sample_files f ON f.survey_id = $1 AND f.trust_code = t.code AND f.status = 'accepted' AND f.superseded_at IS NULL
       ORDER BY t.code`, [survey.id]);
    return {
      survey: survey.code,
      lockedAt: survey.sampleLockedAt?.toISOString() ?? null,
      trusts: rows.map((r: any) => ({
        trust: r.trust, name: r.name, currentFileId: r.current_file_id, uploadedAt: r.uploaded_at?.toISOString() ?? null,
        rowsRead: r.rows_read, sampled: r.sampled, uploads: r.uploads,
      })),
    };
  }

  /** Freezes the sample: from now on uploads are refused and mailings may begin. */
  async lock(surveyCode: string): Promise<{ survey: string; lockedAt: string; trusts: number; patients: number }> {
    return this.dataSource.transaction(async (manager) => {
      const [survey] = await manager.query('SELECT id, code, sample_locked_at FROM surveys WHERE code = $1 FOR UPDATE', [surveyCode]);
      if (!survey) throw new NotFoundError('No survey has that code: check the survey code', 'survey');
      if (survey.sample_locked_at) {
        throw new DomainError('invalid_state', `The sample for this survey is already locked (since ${survey.sample_locked_at.toISOString().slice(0, 10)})`);
      }
      const [counts] = await manager.query(
        'SELECT count(DISTINCT trust_code)::int AS trusts, count(*)::int AS patients FROM patients WHERE survey_id = $1', [survey.id]);
      if (!counts.patients) throw new DomainError('invalid_state', 'This survey has no sampled patients yet: there is nothing to lock');
      await manager.query('UPDATE surveys SET sample_locked_at = now(), updated_at = now() WHERE id = $1', [survey.id]);
      const [{ now }] = await manager.query('SELECT now()'); // the same instant as the update, within one transaction
      return { survey: surveyCode, lockedAt: now.toISOString(), trusts: counts.trusts, patients: counts.patients };
    });
  }
}
