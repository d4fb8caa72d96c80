import { MigrationInterface, QueryRunner } from 'typeorm';

export class MailingLedger1795651200000 implements MigrationInterface {
  name = 'MailingLedger1795651200000';

  async up(q: QueryRunner): Promise<void> {
    // What happened to a patient after sampling (returns, online completions, opt-outs...).
    // Mailings read it at send time; the responses and helpline modules write it. Deaths stay
    // on survey_deaths, which trace files and helpline reports share.
    await q.query(`
      CREATE TABLE patient_events (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        survey_id   uuid NOT NULL REFERENCES surveys(id),
        patient_id  bigint NOT NULL REFERENCES patients(id),
        kind        text NOT NULL CHECK (kind IN ('completed', 'blank_return', 'undelivered', 'opt_out', 'ineligible')),
        occurred_on date NOT NULL,
        recorded_by text NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        details     jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query('CREATE INDEX patient_events_patient ON patient_events (patient_id, kind)');

    // One row per survey and launched step: the launch, when its mail is due, and whether it is paused.
    await q.query(`
      CREATE TABLE mailing_steps (
        survey_id     uuid NOT NULL REFERENCES surveys(id),
        step          text NOT NULL CHECK (step IN ('initial', 'reminder_1', 'reminder_2')),
        launched_at   timestamptz NOT NULL DEFAULT now(),
        launched_by   text NOT NULL,
        scheduled_for timestamptz NOT NULL,
        paused_at     timestamptz,
        paused_by     text,
        pause_reason  text,
        PRIMARY KEY (survey_id, step),
        CONSTRAINT mailing_steps_pause CHECK ((paused_at IS NULL) = (pause_reason IS NULL))
      )`);

    // A print file is planned at launch (its packs chosen in postcode order) and written by a
    // postal job, which fills in the files and the count of packs that were not suppressed.
    await q.query(`ALTER TABLE print_batches
      ADD COLUMN status text NOT NULL DEFAULT 'printed' CHECK (status IN ('planned', 'printed', 'empty')),
      ADD COLUMN printed_at timestamptz,
      ALTER COLUMN pdf_path DROP NOT NULL,
      ALTER COLUMN manifest_path DROP NOT NULL,
      DROP CONSTRAINT print_batches_packs_check,
      ADD CONSTRAINT print_batches_packs_check CHECK (packs BETWEEN 0 AND 2000),
      ADD CONSTRAINT print_batches_files CHECK ((status = 'printed') = (pdf_path IS NOT NULL AND manifest_path IS NOT NULL))`);
    await q.query(`ALTER TABLE print_batches ALTER COLUMN status DROP DEFAULT`);

    // The send ledger: a mailing exists here before any job does, and a job only ever moves its
    // own row from pending to a final state, so a repeated job cannot send twice.
    await q.query(`
      CREATE TABLE mailings (
        id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        survey_id          uuid NOT NULL,
        patient_id         bigint NOT NULL REFERENCES patients(id),
        step               text NOT NULL,
        channel            text NOT NULL CHECK (channel IN ('postal', 'email')),
        status             text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'suppressed', 'failed')),
        suppression_reason text CHECK (suppression_reason IN ('responded', 'opted_out', 'deceased', 'undelivered', 'ineligible')),
        print_batch_id     uuid REFERENCES print_batches(id),
        attempts           integer NOT NULL DEFAULT 0,
        error              text,
        message_id         text,
        claimed_at         timestamptz,
        -- The job (or caller) that claimed the row: the same job meeting its own claim again
        -- means its earlier run died mid-send.
        claimed_by         text,
        completed_at       timestamptz,
        created_at         timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT mailings_step FOREIGN KEY (survey_id, step) REFERENCES mailing_steps (survey_id, step),
        CONSTRAINT mailings_once UNIQUE (patient_id, step, channel),
        CONSTRAINT mailings_postal_batch CHECK ((channel = 'postal') = (print_batch_id IS NOT NULL)),
        CONSTRAINT mailings_suppressed_reason CHECK ((status = 'suppressed') = (suppression_reason IS NOT NULL))
      )`);
    await q.query('CREATE INDEX mailings_progress ON mailings (survey_id, step, channel, status)');
    await q.query('CREATE INDEX mailings_print_batch ON mailings (print_batch_id) WHERE print_batch_id IS NOT NULL');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE mailings');
    await q.query(`DELETE FROM print_batches WHERE status <> 'printed'`);
    await q.query(`ALTER TABLE print_batches
      DROP CONSTRAINT print_batches_files,
      DROP CONSTRAINT print_batches_packs_check,
      ADD CONSTRAINT print_batches_packs_check CHECK (packs BETWEEN 1 AND 2000),
      ALTER COLUMN pdf_path SET NOT NULL,
      ALTER COLUMN manifest_path SET NOT NULL,
      DROP COLUMN printed_at,
      DROP COLUMN status`);
    await q.query('DROP TABLE mailing_steps');
    await q.query('DROP TABLE patient_events');
  }
}
