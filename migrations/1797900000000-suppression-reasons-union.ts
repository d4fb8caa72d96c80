import { MigrationInterface, QueryRunner } from 'typeorm';

const REASONS = `'responded', 'opted_out', 'deceased', 'undelivered', 'ineligible'`;

/**
 * Texts (MailingPlanAndSms1797724800000) and bounces (EmailBounces1797811200000) each rewrote
 * the suppression reasons' check with its own new reason; whichever ran second dropped the
 * other's. This runs after both, on any database, and allows both.
 */
export class SuppressionReasonsUnion1797900000000 implements MigrationInterface {
  name = 'SuppressionReasonsUnion1797900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mailings
      DROP CONSTRAINT mailings_suppression_reason_check,
      ADD CONSTRAINT mailings_suppression_reason_check CHECK (suppression_reason IN (${REASONS}, 'email_bounced', 'unusable_number'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mailings
      DROP CONSTRAINT mailings_suppression_reason_check,
      ADD CONSTRAINT mailings_suppression_reason_check CHECK (suppression_reason IN (${REASONS}, 'email_bounced'))`);
  }
}
