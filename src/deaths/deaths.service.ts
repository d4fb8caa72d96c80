import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError, ErrorDetail } from '../infra/errors/domain-error';
import { parseSampleDate } from '../samples/rules/dates';
import { normaliseNhsNumber } from '../samples/rules/nhs-number';
import { detectFormat, readSampleFile } from '../samples/sample-file-reader';
import { lockForSuppressionChange } from '../mailings/suppression';
import { SurveysService } from '../surveys/surveys.service';

export interface DeceasedCheckSummary {
  checkId: string;
  survey: string;
  fileName: string;
  checkedAt: string;
  rowsRead: number;
  /** People on the trace response reported as dead. */
  deaths: number;
  /** Of those, not on the survey's deceased list before. */
  newDeaths: number;
  /** Of those, sampled patients of this survey (suppressed from every mailing from now on). */
  matchedPatients: number;
}

const MAX_LISTED_PROBLEMS = 200;

/**
 * Imports trace responses (NHS number, date of death) onto the survey's deceased list, all or
 * nothing per file. Mailings consult the list when each letter or e-mail is produced, so a
 * death recorded here stops even mail already queued.
 */
@Injectable()
export class DeathsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly surveys: SurveysService,
  ) {}

  async import(surveyCode: string, path: string, fileName: string, importedBy: string): Promise<DeceasedCheckSummary> {
    const survey = await this.surveys.get(surveyCode);
    const deaths = new Map<string, string>();
    const problems: ErrorDetail[] = [];
    let rowsRead = 0;
    let columns: { nhs: number; date: number } | undefined;
    for await (const { rowNumber, cells } of readSampleFile(path, await detectFormat(path))) {
      if (!columns) {
        const names = cells.map((c) => c.replace(/^\uFEFF/, '').trim().toLowerCase());
        columns = { nhs: names.indexOf('nhs_number'), date: names.indexOf('date_of_death') };
        const missing = [columns.nhs < 0 && 'nhs_number', columns.date < 0 && 'date_of_death'].filter(Boolean);
        if (missing.length) throw new DomainError('file_rejected', `The file lacks the required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
        continue;
      }
      if (cells.every((c) => !c?.trim())) continue;
      rowsRead++;
      const nhs = normaliseNhsNumber((cells[columns.nhs] ?? '').trim());
      const date = parseSampleDate((cells[columns.date] ?? '').trim());
      if (!nhs) problems.push({ where: `row ${rowNumber}, nhs_number`, message: 'not a valid NHS number (10 digits with a correct check digit)' });
      if (!date) problems.push({ where: `row ${rowNumber}, date_of_death`, message: 'must be a real date written YYYY-MM-DD or DD/MM/YYYY' });
      if (nhs && date) deaths.set(nhs, date);
    }
    if (!columns) throw new DomainError('file_rejected', 'The file is empty: it needs a header row with nhs_number and date_of_death');
    if (problems.length) {
      throw new DomainError('file_rejected',
        `${problems.length} problem${problems.length > 1 ? 's' : ''} found in the file; nothing was imported. Correct the file and import it again.`,
        problems.slice(0, MAX_LISTED_PROBLEMS));
    }

    return this.dataSource.transaction(async (m) => {
      await lockForSuppressionChange(m, survey.id);
      const [check] = await m.query(
        `INSERT INTO deceased_checks (survey_id, file_name, rows_read, deaths, new_deaths, matched, imported_by)
         VALUES ($1, $2, $3, $4, 0, 0, $5) RETURNING id, imported_at`,
        [survey.id, fileName, rowsRead, deaths.size, importedBy]);
      const nhsNumbers = [...deaths.keys()];
      const dates = nhsNumbers.map((n) => deaths.get(n));
      // First report wins: a later trace does not move a recorded date of death.
      const inserted: unknown[] = await m.query(
        `INSERT INTO survey_deaths (survey_id, nhs_number, date_of_death, source, deceased_check_id)
         SELECT $1, d.nhs, d.died, 'trace', $2 FROM unnest($3::text[], $4::date[]) AS d(nhs, died)
         ON CONFLICT (survey_id, nhs_number) DO NOTHING RETURNING 1`,
        [survey.id, check.id, nhsNumbers, dates]);
      const newDeaths = inserted.length;
      const [{ matched }] = await m.query(
        `SELECT count(*)::int AS matched FROM patients WHERE survey_id = $1 AND nhs_number = ANY($2::text[])`,
        [survey.id, nhsNumbers]);
      await m.query('UPDATE deceased_checks SET new_deaths = $2, matched = $3 WHERE id = $1', [check.id, newDeaths, matched]);
      return {
        checkId: check.id, survey: survey.code, fileName, checkedAt: check.imported_at.toISOString(),
        rowsRead, deaths: deaths.size, newDeaths, matchedPatients: matched,
      };
    });
  }
}
