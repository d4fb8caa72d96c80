import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An e-mail whose send may or may not have reached the mail server (a worker stopped, the
 * database was unreachable when the result was recorded, or the connection broke off after the
 * message was handed over) is failed and flagged: plain retry-failed leaves it, and it is sent
 * again only by reference, once a person has confirmed from the mail log that it was not delivered.
 */
export class MailingInterrupted1796428800000 implements MigrationInterface {
  name = 'MailingInterrupted1796428800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE mailings ADD COLUMN interrupted boolean NOT NULL DEFAULT false');
    // Rows already marked by the earlier wording stay out of plain retries too.
    await q.query(`UPDATE mailings SET interrupted = true WHERE channel = 'email' AND status = 'failed' AND error LIKE 'Interrupted while sending%'`);
    await q.query(`ALTER TABLE mailings ADD CONSTRAINT mailings_interrupted_failed CHECK (NOT interrupted OR (status = 'failed' AND channel = 'email'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE mailings DROP COLUMN interrupted');
  }
}
