import { MigrationInterface, QueryRunner } from 'typeorm';

const KEY = 'survey_id, trust_code, step, channel';

/** Adds `sign` × the sent rows of transition table `rows`, per key, to the counts. */
const addSent = (parts: string[]) => `
  INSERT INTO mailing_sent_counts AS c (${KEY}, shard, sent)
  SELECT ${KEY}, pg_backend_pid() % 8, sum(n) FROM (${parts.join(' UNION ALL ')}) d
  GROUP BY ${KEY} HAVING sum(n) <> 0 ORDER BY ${KEY}
  ON CONFLICT (${KEY}, shard) DO UPDATE SET sent = c.sent + excluded.sent`;
const sent = (rows: string, sign: 1 | -1) => `SELECT ${KEY}, ${sign} AS n FROM ${rows} WHERE status = 'sent'`;

/**
 * The response-rate report counted the sent mail of every trust, step and channel over the
 * whole ledger (an index scan of every sent row of the survey: about as long as the outcomes
 * themselves). The counts are now kept beside the ledger by statement triggers, from the rows
 * each statement changed, so the report reads a few hundred rows. Each connection adds to its
 * own shard of a count (its backend id modulo 8): concurrent senders recording e-mails of the
 * same trust and step do not queue on one row, and the report sums the shards.
 *
 * The index the report's scan used (mailings_report, sent rows by survey, trust, step and
 * channel) serves no query now (the first mailing date reads the table in parallel either way),
 * and every e-mail recorded as sent paid for an entry in it: dropped.
 */
export class MailingSentCounts1797993600000 implements MigrationInterface {
  name = 'MailingSentCounts1797993600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE mailing_sent_counts (
      survey_id uuid NOT NULL, trust_code text COLLATE "C" NOT NULL, step text NOT NULL, channel text NOT NULL,
      shard smallint NOT NULL, sent integer NOT NULL,
      PRIMARY KEY (${KEY}, shard))`);
    await q.query(`INSERT INTO mailing_sent_counts (${KEY}, shard, sent)
      SELECT ${KEY}, 0, count(*) FROM mailings WHERE status = 'sent' GROUP BY ${KEY}`);
    await q.query(`
      CREATE FUNCTION mailings_count_sent() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN ${addSent([sent('added_mailings', 1)])};
        ELSIF TG_OP = 'DELETE' THEN ${addSent([sent('removed_mailings', -1)])};
        ELSE ${addSent([sent('changed_mailings', 1), sent('previous_mailings', -1)])};
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER mailings_count_sent_insert AFTER INSERT ON mailings
      REFERENCING NEW TABLE AS added_mailings FOR EACH STATEMENT EXECUTE FUNCTION mailings_count_sent()`);
    await q.query(`CREATE TRIGGER mailings_count_sent_update AFTER UPDATE ON mailings
      REFERENCING OLD TABLE AS previous_mailings NEW TABLE AS changed_mailings FOR EACH STATEMENT EXECUTE FUNCTION mailings_count_sent()`);
    await q.query(`CREATE TRIGGER mailings_count_sent_delete AFTER DELETE ON mailings
      REFERENCING OLD TABLE AS removed_mailings FOR EACH STATEMENT EXECUTE FUNCTION mailings_count_sent()`);
    await q.query('DROP INDEX mailings_report');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX mailings_report ON mailings (survey_id, trust_code, step, channel) WHERE status = 'sent'`);
    await q.query('DROP TRIGGER mailings_count_sent_insert ON mailings');
    await q.query('DROP TRIGGER mailings_count_sent_update ON mailings');
    await q.query('DROP TRIGGER mailings_count_sent_delete ON mailings');
    await q.query('DROP FUNCTION mailings_count_sent()');
    await q.query('DROP TABLE mailing_sent_counts');
  }
}
