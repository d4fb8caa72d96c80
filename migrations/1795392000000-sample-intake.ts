import { MigrationInterface, QueryRunner } from 'typeorm';

export class SampleIntake1795392000000 implements MigrationInterface {
  name = 'SampleIntake1795392000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE surveys ADD COLUMN sample_locked_at timestamptz`);

    // Every upload, accepted or not, with the report the trust sees. Patients come only from
    // accepted files; the current one per survey and trust is the one without superseded_at.
    await q.query(`
      CREATE TABLE sample_files (
        id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        survey_id      uuid NOT NULL REFERENCES surveys(id),
        trust_code     text NOT NULL REFERENCES trusts(code),
        file_name      text NOT NULL,
        format         text NOT NULL CHECK (format IN ('csv', 'xlsx')),
        status         text NOT NULL CHECK (status IN ('accepted', 'rejected')),
        rejection      text,
        rows_read      integer NOT NULL,
        rows_rejected  integer NOT NULL,
        excluded       jsonb NOT NULL,
        sampled        integer NOT NULL,
        uploaded_by    text NOT NULL,
        uploaded_at    timestamptz NOT NULL DEFAULT now(),
        superseded_at  timestamptz,
        CONSTRAINT sample_files_rejection_reason CHECK ((status = 'rejected') = (rejection IS NOT NULL)),
        CONSTRAINT sample_files_identity UNIQUE (id, survey_id, trust_code)
      )`);
    await q.query(`
      CREATE UNIQUE INDEX sample_files_current ON sample_files (survey_id, trust_code)
        WHERE status = 'accepted' AND superseded_at IS NULL`);
    await q.query(`CREATE INDEX sample_files_by_trust ON sample_files (survey_id, trust_code, uploaded_at DESC)`);

    await q.query(`
      CREATE TABLE sample_file_problems (
        sample_file_id uuid NOT NULL REFERENCES sample_files(id) ON DELETE CASCADE,
        row_number     integer NOT NULL,
        column_name    text NOT NULL,
        severity       text NOT NULL CHECK (severity IN ('rejected', 'warning')),
        message        text NOT NULL
      )`);
    await q.query(`CREATE INDEX sample_file_problems_file ON sample_file_problems (sample_file_id, row_number)`);

    // Never reused within a survey and trust, even when a file is replaced.
    await q.query(`
      CREATE TABLE reference_counters (
        survey_id  uuid NOT NULL REFERENCES surveys(id),
        trust_code text NOT NULL REFERENCES trusts(code),
        last_value integer NOT NULL CHECK (last_value BETWEEN 0 AND 999999),
        PRIMARY KEY (survey_id, trust_code)
      )`);

    // Code-like keys use the "C" collation (byte order): far cheaper to index than a language's.
    await q.query(`
      CREATE TABLE patients (
        id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        survey_id             uuid NOT NULL,
        trust_code            text COLLATE "C" NOT NULL,
        sample_file_id        uuid NOT NULL,
        row_number            integer NOT NULL,
        survey_reference      text COLLATE "C" NOT NULL,
        access_code           text COLLATE "C" NOT NULL,
        patient_record_number text NOT NULL,
        nhs_number            char(10) COLLATE "C" NOT NULL,
        title                 text,
        first_name            text NOT NULL,
        surname               text NOT NULL,
        address               text[] NOT NULL,
        postcode              text NOT NULL,
        date_of_birth         date NOT NULL,
        sex                   char(1) NOT NULL,
        ethnicity             text,
        icd10                 text NOT NULL,
        admission_date        date NOT NULL,
        discharge_date        date NOT NULL,
        patient_type          char(1) NOT NULL,
        site_code             text,
        sub_icb_code          text,
        email                 text,
        mobile                text,
        created_at            timestamptz NOT NULL DEFAULT now(),
        -- One foreign key, not three: the sample file already belongs to the survey and trust, and
        -- each key is a per-row check on a 150,000-row insert.
        CONSTRAINT patients_sample_file FOREIGN KEY (sample_file_id, survey_id, trust_code)
          REFERENCES sample_files (id, survey_id, trust_code),
        CONSTRAINT patients_reference_unique UNIQUE (survey_id, survey_reference),
        CONSTRAINT patients_access_code_unique UNIQUE (survey_id, access_code)
      )`);
    // No further indexes yet: each costs ~0.7 s per 130,000 imported rows, and a national
    // survey's patients scan in tens of milliseconds. Later features add what their queries need.

    // The survey's deceased list (trace responses, helpline reports). Filled by the deaths
    // import; read here so the sample leaves out people already known to have died.
    await q.query(`
      CREATE TABLE survey_deaths (
        survey_id     uuid NOT NULL REFERENCES surveys(id),
        nhs_number    char(10) NOT NULL,
        date_of_death date,
        source        text NOT NULL,
        recorded_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (survey_id, nhs_number)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE survey_deaths');
    await q.query('DROP TABLE patients');
    await q.query('DROP TABLE reference_counters');
    await q.query('DROP TABLE sample_file_problems');
    await q.query('DROP TABLE sample_files');
    await q.query('ALTER TABLE surveys DROP COLUMN sample_locked_at');
  }
}
