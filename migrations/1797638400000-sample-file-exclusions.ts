import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The rows of an accepted sample file that were excluded, with their reason, so the trust can
 * find each one in its own system: the spreadsheet row number and the trust's record number,
 * nothing that names the patient. Deleted with the file, and by the purge (the record number
 * identifies a patient inside the trust). fieldwork_app gets rows-only rights by default
 * privileges (LeastPrivilege1796260000000).
 */
export class SampleFileExclusions1797638400000 implements MigrationInterface {
  name = 'SampleFileExclusions1797638400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sample_file_exclusions (
        sample_file_id        uuid NOT NULL REFERENCES sample_files(id) ON DELETE CASCADE,
        row_number            integer NOT NULL,
        patient_record_number text NOT NULL,
        reason                text NOT NULL CHECK (reason IN
          ('under_16', 'outside_period', 'not_cancer', 'private_patient', 'no_address', 'deceased', 'duplicate')),
        PRIMARY KEY (sample_file_id, row_number)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE sample_file_exclusions');
  }
}
