import { MigrationInterface, QueryRunner } from 'typeorm';

const REASONS_BEFORE = `'responded', 'opted_out', 'deceased', 'undelivered', 'ineligible'`;

/**
 * E-mail bounces. A delivery-status notification names one sent e-mail (its return path or
 * Message-ID carries the ledger id): the row keeps only the outcome, never the bounced message
 * (it may quote patient data), so the diagnostic is short and kept without the address. A
 * permanent failure is also kept on the patient, where the e-mail suppression reads it as one
 * more fact (the postal letters never read it): later e-mail steps are held back with the
 * reason 'email_bounced', which the ledger's list of reasons gains here (added to the list, not
 * replacing any other reason).
 */
export class EmailBounces1797811200000 implements MigrationInterface {
  name = 'EmailBounces1797811200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mailings
      ADD COLUMN bounced_at timestamptz,
      ADD COLUMN bounce_status text CHECK (bounce_status IN ('permanent', 'temporary')),
      ADD COLUMN bounce_code text CHECK (bounce_code ~ '^[45][.][0-9]{1,3}[.][0-9]{1,3}$'),
      ADD COLUMN bounce_diagnostic text CHECK (length(bounce_diagnostic) <= 200),
      ADD CONSTRAINT mailings_bounce_recorded CHECK ((bounced_at IS NULL) = (bounce_status IS NULL) AND (bounced_at IS NULL) = (bounce_code IS NULL)),
      ADD CONSTRAINT mailings_bounce_of_sent_email CHECK (bounced_at IS NULL OR (channel = 'email' AND status = 'sent')),
      DROP CONSTRAINT mailings_suppression_reason_check,
      ADD CONSTRAINT mailings_suppression_reason_check CHECK (suppression_reason IN (${REASONS_BEFORE}, 'email_bounced'))`);
    await q.query('ALTER TABLE patients ADD COLUMN email_bounced_at timestamptz');
    await q.query(`CREATE INDEX mailings_bounced ON mailings (survey_id, step) WHERE bounced_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE mailings SET status = 'failed', suppression_reason = NULL, error = 'E-mail address bounced'
      WHERE suppression_reason = 'email_bounced'`);
    await q.query('ALTER TABLE patients DROP COLUMN email_bounced_at');
    await q.query(`ALTER TABLE mailings DROP COLUMN bounced_at, DROP COLUMN bounce_status, DROP COLUMN bounce_code, DROP COLUMN bounce_diagnostic,
      DROP CONSTRAINT mailings_suppression_reason_check,
      ADD CONSTRAINT mailings_suppression_reason_check CHECK (suppression_reason IN (${REASONS_BEFORE}))`);
  }
}
