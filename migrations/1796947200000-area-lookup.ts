import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The area lookup (postcode → IMD decile and sub-ICB; sub-ICB → ICB → Cancer Alliance) that
 * the coordinator imports, and the anonymous grouping variables each patient keeps from it.
 * They are worked out while the postcode still exists, so results survive the purge unchanged.
 */
export class AreaLookup1796947200000 implements MigrationInterface {
  name = 'AreaLookup1796947200000';

  async up(q: QueryRunner): Promise<void> {
    // The lookup as last imported (one row): its presence is what "a lookup exists" means.
    await q.query(`
      CREATE TABLE area_lookup_imports (
        id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        file_name   text NOT NULL,
        rows_read   integer NOT NULL,
        imported_by text NOT NULL,
        imported_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE TABLE area_alliances (code text COLLATE "C" PRIMARY KEY, name text NOT NULL)`);
    await q.query(`
      CREATE TABLE area_icbs (
        code                 text COLLATE "C" PRIMARY KEY,
        name                 text NOT NULL,
        cancer_alliance_code text COLLATE "C" NOT NULL REFERENCES area_alliances(code)
      )`);
    await q.query(`
      CREATE TABLE area_sub_icbs (
        code     text COLLATE "C" PRIMARY KEY,
        icb_code text COLLATE "C" NOT NULL REFERENCES area_icbs(code)
      )`);
    // Postcodes upper-case without spaces. Deferrable, so a repeated postcode in a file is found
    // after the COPY and reported with both row numbers instead of failing the COPY mid-stream.
    await q.query(`
      CREATE TABLE area_postcodes (
        postcode     text COLLATE "C" NOT NULL,
        imd_decile   smallint CHECK (imd_decile BETWEEN 1 AND 10),
        sub_icb_code text COLLATE "C" NOT NULL,
        row_number   integer NOT NULL,
        CONSTRAINT area_postcodes_unique PRIMARY KEY (postcode) DEFERRABLE INITIALLY IMMEDIATE
      )`);

    await q.query(`ALTER TABLE patients
      ADD COLUMN imd_quintile smallint CHECK (imd_quintile BETWEEN 1 AND 5),
      ADD COLUMN icb_code text COLLATE "C",
      ADD COLUMN cancer_alliance_code text COLLATE "C",
      ADD COLUMN groups_derived_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE patients DROP COLUMN imd_quintile, DROP COLUMN icb_code, DROP COLUMN cancer_alliance_code,
      DROP COLUMN groups_derived_at`);
    await q.query('DROP TABLE area_postcodes');
    await q.query('DROP TABLE area_sub_icbs');
    await q.query('DROP TABLE area_icbs');
    await q.query('DROP TABLE area_alliances');
    await q.query('DROP TABLE area_lookup_imports');
  }
}
