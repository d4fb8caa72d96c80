import { MigrationInterface, QueryRunner } from 'typeorm';

const REASONS = `'under_16', 'outside_period', 'not_cancer', 'private_patient', 'no_address', 'deceased', 'duplicate'`;

/**
 * The Under-16 survey excludes rows aged above its maximum age at discharge as `over_15`: the
 * list of a file's excluded rows must take the new reason.
 */
export class Over15Exclusion1798000000000 implements MigrationInterface {
  name = 'Over15Exclusion1798000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE sample_file_exclusions
      DROP CONSTRAINT sample_file_exclusions_reason_check,
      ADD CONSTRAINT sample_file_exclusions_reason_check CHECK (reason IN (${REASONS}, 'over_15'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM sample_file_exclusions WHERE reason = 'over_15'`);
    await q.query(`ALTER TABLE sample_file_exclusions
      DROP CONSTRAINT sample_file_exclusions_reason_check,
      ADD CONSTRAINT sample_file_exclusions_reason_check CHECK (reason IN (${REASONS}))`);
  }
}
