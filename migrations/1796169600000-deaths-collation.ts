import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * survey_deaths.nhs_number gets the collation patients.nhs_number has ("C"). With two
 * collations, "is this patient dead?" could not use the (survey, NHS number) key and read the
 * survey's whole deaths list for every letter and e-mail checked. The outcomes view reads the
 * column, so it is set aside and put back as it was.
 */
export class DeathsCollation1796169600000 implements MigrationInterface {
  name = 'DeathsCollation1796169600000';

  async up(q: QueryRunner): Promise<void> {
    await this.withOutcomesViewSetAside(q, () => q.query('ALTER TABLE survey_deaths ALTER COLUMN nhs_number TYPE char(10) COLLATE "C"'));
  }

  async down(q: QueryRunner): Promise<void> {
    await this.withOutcomesViewSetAside(q, () => q.query('ALTER TABLE survey_deaths ALTER COLUMN nhs_number TYPE char(10) COLLATE "default"'));
  }

  private async withOutcomesViewSetAside(q: QueryRunner, change: () => Promise<unknown>): Promise<void> {
    const [{ definition }] = await q.query(`SELECT pg_get_viewdef('patient_outcomes'::regclass) AS definition`);
    await q.query('DROP VIEW patient_outcomes');
    await change();
    await q.query(`CREATE VIEW patient_outcomes AS ${definition}`);
  }
}
