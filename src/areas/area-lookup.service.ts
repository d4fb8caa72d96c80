import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { CopyWriter } from '../infra/database/copy-rows';
import { DomainError, ErrorDetail } from '../infra/errors/domain-error';
import { detectFormat, readSampleFile } from '../samples/sample-file-reader';
import { SurveysService } from '../surveys/surveys.service';
import { AreaHierarchy, mapAreaHeader, readAreaRow } from './area-row';
import { AREA_LOOKUP_LOCK, DerivedCounts, deriveGroupingVariables, lookupExists } from './derive-groups';

export interface AreaImportSummary {
  fileName: string;
  importedAt: string;
  /** Postcodes in the lookup (data rows of the file). */
  rows: number;
  subIcbs: number;
  icbs: number;
  alliances: number;
  /** Each survey not yet purged, with its patients' grouping variables derived again from this lookup. */
  surveys: DerivedCounts[];
}

const MAX_LISTED_PROBLEMS = 200;
/** More than the ONS postcode directory's 2.7 million postcodes, live and terminated. */
const MAX_AREA_ROWS = 4_000_000;

/**
 * The area lookup: postcode → IMD decile and sub-ICB, sub-ICB → ICB → Cancer Alliance. A file
 * replaces the whole lookup in one transaction, or, with any bad row, changes nothing. Every
 * survey not yet purged then has its patients' grouping variables derived again.
 */
@Injectable()
export class AreaLookupService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly surveys: SurveysService,
  ) {}

  async import(path: string, fileName: string, importedBy: string): Promise<AreaImportSummary> {
    const format = await detectFormat(path);
    const runner = this.dataSource.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    await runner.startTransaction();
    try {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [AREA_LOOKUP_LOCK]);
      // The service may not TRUNCATE; DELETE keeps the replacement inside this transaction.
      for (const table of ['area_postcodes', 'area_sub_icbs', 'area_icbs', 'area_alliances', 'area_lookup_imports']) {
        await client.query(`DELETE FROM ${table}`);
      }
      await client.query('SET CONSTRAINTS area_postcodes_unique DEFERRED');
      const { rows, hierarchy } = await this.copyPostcodes(client, readSampleFile(path, format));
      await this.refuseRepeatedPostcodes(client);
      await this.saveHierarchy(client, hierarchy);
      const { rows: [saved] } = await client.query(
        'INSERT INTO area_lookup_imports (file_name, rows_read, imported_by) VALUES ($1, $2, $3) RETURNING imported_at',
        [fileName.slice(0, 255), rows, importedBy]);
      const surveys = await deriveGroupingVariables(async (sql, params) => (await client.query(sql, params)).rows, 'all');
      await runner.commitTransaction();
      return {
        fileName, importedAt: saved.imported_at.toISOString(), rows, subIcbs: hierarchy.subIcbs.size, icbs: hierarchy.icbs.size,
        alliances: hierarchy.alliances.size, surveys,
      };
    } catch (error) {
      await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  }

  /** Derives one survey's patients' grouping variables again from the current lookup. */
  /** ICB names by code, as the last area lookup gave them (empty before any import). */
  async icbNames(): Promise<Map<string, string>> {
    const rows: { code: string; name: string }[] = await this.dataSource.query('SELECT code, name FROM area_icbs');
    return new Map(rows.map((r) => [r.code, r.name]));
  }

  async derive(surveyCode: string): Promise<DerivedCounts> {
    const survey = await this.surveys.get(surveyCode);
    if (survey.status === 'purged') {
      throw new DomainError('invalid_state', 'This survey is purged: its postcodes are gone, and the grouping variables kept at the purge stand');
    }
    return this.dataSource.transaction(async (m) => {
      const sql = (text: string, params?: unknown[]) => m.query(text, params);
      await m.query('SELECT pg_advisory_xact_lock_shared(hashtext($1))', [AREA_LOOKUP_LOCK]);
      if (!(await lookupExists(sql))) {
        throw new DomainError('invalid_state', 'No area lookup has been imported: import one first (areas:import), which also derives every survey');
      }
      const [counts] = await deriveGroupingVariables(sql, { surveyId: survey.id });
      return counts ?? { survey: survey.code, patients: 0, imdKnown: 0, icbKnown: 0, allianceKnown: 0, icbFromTrust: 0 };
    });
  }

  private async copyPostcodes(client: PoolClient, file: AsyncIterable<{ rowNumber: number; cells: string[] }>) {
    const hierarchy = new AreaHierarchy();
    const problems: ErrorDetail[] = [];
    let problemCount = 0;
    let rows = 0;
    let header: ReturnType<typeof mapAreaHeader> | undefined;
    const copy = new CopyWriter(client, 'COPY area_postcodes (postcode, imd_decile, sub_icb_code, row_number) FROM STDIN');
    try {
      for await (const { rowNumber, cells } of file) {
        if (!header) {
          header = mapAreaHeader(cells);
          if (header.missing.length || header.repeated.length) {
            const parts = [];
            if (header.missing.length) parts.push(`required column${header.missing.length > 1 ? 's' : ''} missing: ${header.missing.join(', ')}`);
            if (header.repeated.length) parts.push(`column${header.repeated.length > 1 ? 's' : ''} given twice: ${header.repeated.join(', ')}`);
            throw new DomainError('file_rejected', `The area lookup's header row is not usable (${parts.join('; ')}); nothing was imported`,
              [{ where: 'row 1', message: parts.join('; ') }]);
          }
          continue;
        }
        if (cells.every((c) => !c?.trim())) continue;
        if (++rows > MAX_AREA_ROWS) {
          throw new DomainError('file_rejected', `The area lookup has more than ${MAX_AREA_ROWS.toLocaleString('en-GB')} rows, more than there are postcodes; check that it is the right file`);
        }
        const read = readAreaRow(cells, rowNumber, header.index);
        const found = read.row ? hierarchy.add(read.row, rowNumber) : read.problems;
        if (found.length) {
          problemCount += found.length;
          problems.push(...found.slice(0, MAX_LISTED_PROBLEMS - problems.length));
        }
        // Once a row is bad the file is refused: it is still read to the end to report every problem.
        if (problemCount === 0) {
          const r = read.row!;
          await copy.write([r.postcode, r.imdDecile, r.subIcbCode, rowNumber]);
        }
      }
    } finally {
      await copy.end();
    }
    if (!header) throw new DomainError('file_rejected', 'The area lookup is empty: it needs a header row and a row per postcode');
    if (problemCount) {
      throw new DomainError('file_rejected',
        `${problemCount} problem${problemCount > 1 ? 's' : ''} found in the area lookup; nothing was imported. Correct the file and import it again.`,
        problems);
    }
    if (!rows) throw new DomainError('file_rejected', 'The area lookup has a header row but no postcodes; nothing was imported');
    return { rows, hierarchy };
  }

  /** The unique check, deferred during the COPY, made now; a repeat is reported with both rows. */
  private async refuseRepeatedPostcodes(client: PoolClient): Promise<void> {
    await client.query('SAVEPOINT unique_postcodes');
    try {
      await client.query('SET CONSTRAINTS area_postcodes_unique IMMEDIATE');
      await client.query('RELEASE SAVEPOINT unique_postcodes');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '23505') throw error;
      await client.query('ROLLBACK TO SAVEPOINT unique_postcodes');
    }
    const { rows: repeats } = await client.query(
      `SELECT row_number AS row, first FROM (SELECT row_number, min(row_number) OVER (PARTITION BY postcode) AS first FROM area_postcodes) x
       WHERE row_number <> first ORDER BY row_number`);
    const later: { row: number; first: number }[] = repeats;
    throw new DomainError('file_rejected',
      `${later.length} postcode${later.length > 1 ? 's are' : ' is'} given more than once in the area lookup; nothing was imported. Keep one row per postcode and import it again.`,
      later.slice(0, MAX_LISTED_PROBLEMS).map((r) => ({ where: `row ${r.row}, postcode`, message: `repeats the postcode of row ${r.first}` })));
  }

  private async saveHierarchy(client: PoolClient, h: AreaHierarchy): Promise<void> {
    const alliances = [...h.alliances];
    await client.query('INSERT INTO area_alliances (code, name) SELECT * FROM unnest($1::text[], $2::text[])',
      [alliances.map(([code]) => code), alliances.map(([, a]) => a.name)]);
    const icbs = [...h.icbs];
    await client.query('INSERT INTO area_icbs (code, name, cancer_alliance_code) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])',
      [icbs.map(([code]) => code), icbs.map(([, i]) => i.name), icbs.map(([, i]) => i.alliance)]);
    const subs = [...h.subIcbs];
    await client.query('INSERT INTO area_sub_icbs (code, icb_code) SELECT * FROM unnest($1::text[], $2::text[])',
      [subs.map(([code]) => code), subs.map(([, s]) => s.icb)]);
  }
}
