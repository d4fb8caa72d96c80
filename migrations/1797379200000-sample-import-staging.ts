import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where a sample import puts the rows it has read before deciding, in set-based SQL, which are
 * repeats, deceased, duplicates or sampled: the process keeps no per-row state. UNLOGGED
 * because the rows live only inside the importing transaction (written, read and deleted
 * there): no write-ahead log for them, and nothing to recover after a crash. No index, key or
 * check: each import reads its own rows once, by import_id, and the checks belong to
 * `patients`. Concurrent imports never see each other's rows (none is ever committed), and
 * each filters on its own import_id (the new sample file's id). Typed like `patients`, so the
 * final INSERT … SELECT converts nothing. fieldwork_app gets rows-only rights by default
 * privileges (LeastPrivilege1796260000000).
 */
export class SampleImportStaging1797379200000 implements MigrationInterface {
  name = 'SampleImportStaging1797379200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNLOGGED TABLE sample_import_rows (
        import_id             uuid NOT NULL,
        row_number            integer NOT NULL,
        -- Null when the row could not be read; its problems are then in problem_columns/_messages.
        patient_record_number text COLLATE "C",
        -- Rules 1-5, decided from the row alone; null when the row is still in.
        exclusion             text,
        nhs_number            character(10) COLLATE "C",
        admission_date        date,
        discharge_date        date,
        access_code           text COLLATE "C",
        title                 text,
        first_name            text,
        surname               text,
        address               text[],
        postcode              text,
        date_of_birth         date,
        sex                   character(1),
        ethnicity             text,
        icd10                 text,
        patient_type          character(1),
        site_code             text,
        sub_icb_code          text,
        email                 text,
        mobile                text,
        problem_columns       text[],
        problem_messages      text[],
        warning_columns       text[],
        warning_messages      text[]
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE sample_import_rows');
  }
}
