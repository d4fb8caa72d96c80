import { MigrationInterface, QueryRunner } from 'typeorm';

const STEP_NAME = `step ~ '^[a-z][a-z0-9_]{0,39}$'`;

/**
 * A mailing plan per survey (its settings name the steps, so the three fixed names give way to
 * any short lower-case name) and SMS as a third channel of the send ledger, sent through GOV.UK
 * Notify. Notify's delivery receipt for a text is kept on its ledger row; a permanent failure
 * makes that mobile number unusable for the patient's later texts (`unusable_number`).
 */
export class MailingPlanAndSms1797724800000 implements MigrationInterface {
  name = 'MailingPlanAndSms1797724800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mailing_steps DROP CONSTRAINT mailing_steps_step_check, ADD CONSTRAINT mailing_steps_step_check CHECK (${STEP_NAME})`);
    await q.query(`ALTER TABLE print_batches DROP CONSTRAINT print_batches_step_check, ADD CONSTRAINT print_batches_step_check CHECK (${STEP_NAME})`);
    await q.query(`ALTER TABLE mailings
      DROP CONSTRAINT mailings_channel_check,
      ADD CONSTRAINT mailings_channel_check CHECK (channel IN ('postal', 'email', 'sms')),
      DROP CONSTRAINT mailings_suppression_reason_check,
      ADD CONSTRAINT mailings_suppression_reason_check
        CHECK (suppression_reason IN ('responded', 'opted_out', 'deceased', 'undelivered', 'ineligible', 'unusable_number')),
      DROP CONSTRAINT mailings_interrupted_failed,
      ADD CONSTRAINT mailings_interrupted_failed CHECK (NOT interrupted OR (status = 'failed' AND channel IN ('email', 'sms'))),
      ADD COLUMN delivery_status text
        CHECK (delivery_status IN ('delivered', 'permanent-failure', 'temporary-failure', 'technical-failure')),
      ADD COLUMN delivery_reported_at timestamptz,
      ADD COLUMN provider_id text,
      ADD CONSTRAINT mailings_delivery_sms CHECK (delivery_status IS NULL OR channel = 'sms')`);
    // The later steps' planning and every text's claim ask whether the patient's number failed for good.
    await q.query(`CREATE INDEX mailings_sms_permanent_failure ON mailings (patient_id) WHERE channel = 'sms' AND delivery_status = 'permanent-failure'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM mailings WHERE channel = 'sms'`);
    await q.query('DROP INDEX mailings_sms_permanent_failure');
    await q.query(`ALTER TABLE mailings
      DROP CONSTRAINT mailings_delivery_sms, DROP COLUMN delivery_status, DROP COLUMN delivery_reported_at, DROP COLUMN provider_id,
      DROP CONSTRAINT mailings_interrupted_failed,
      ADD CONSTRAINT mailings_interrupted_failed CHECK (NOT interrupted OR (status = 'failed' AND channel = 'email')),
      DROP CONSTRAINT mailings_suppression_reason_check,
      ADD CONSTRAINT mailings_suppression_reason_check CHECK (suppression_reason IN ('responded', 'opted_out', 'deceased', 'undelivered', 'ineligible')),
      DROP CONSTRAINT mailings_channel_check,
      ADD CONSTRAINT mailings_channel_check CHECK (channel IN ('postal', 'email'))`);
    const fixed = `step IN ('initial', 'reminder_1', 'reminder_2')`;
    await q.query(`ALTER TABLE print_batches DROP CONSTRAINT print_batches_step_check, ADD CONSTRAINT print_batches_step_check CHECK (${fixed})`);
    await q.query(`ALTER TABLE mailing_steps DROP CONSTRAINT mailing_steps_step_check, ADD CONSTRAINT mailing_steps_step_check CHECK (${fixed})`);
  }
}
