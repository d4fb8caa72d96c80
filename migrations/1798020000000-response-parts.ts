import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A questionnaire with a part per respondent (the Under-16 survey's: the child's and the parent
 * or carer's) is returned and stored a part at a time, possibly by different people on different
 * days. Each response row is one part: 'whole' for a questionnaire without parts (every adult
 * response), so a patient has at most one response per part. Online drafts are kept per part too.
 */
export class ResponseParts1798020000000 implements MigrationInterface {
  name = 'ResponseParts1798020000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE responses ADD COLUMN part text NOT NULL DEFAULT 'whole' CHECK (part IN ('whole', 'child', 'parent'))`);
    await q.query('ALTER TABLE responses DROP CONSTRAINT responses_patient_id_key');
    await q.query('ALTER TABLE responses ADD CONSTRAINT responses_patient_part UNIQUE (patient_id, part)');
    await q.query(`ALTER TABLE response_drafts ADD COLUMN part text NOT NULL DEFAULT 'whole' CHECK (part IN ('whole', 'child', 'parent'))`);
    await q.query('ALTER TABLE response_drafts DROP CONSTRAINT response_drafts_pkey');
    await q.query('ALTER TABLE response_drafts ADD PRIMARY KEY (patient_id, part)');
  }

  async down(q: QueryRunner): Promise<void> {
    // Two parts of one patient cannot go back into one row each: refuse rather than drop answers.
    const [{ parted }] = await q.query(`SELECT count(*)::int AS parted FROM responses WHERE part <> 'whole'`);
    if (parted) throw new Error(`${parted} responses are parts of a questionnaire (child or parent): they cannot be kept without the part column`);
    await q.query(`DELETE FROM response_drafts WHERE part <> 'whole'`);
    await q.query('ALTER TABLE response_drafts DROP CONSTRAINT response_drafts_pkey');
    await q.query('ALTER TABLE response_drafts DROP COLUMN part');
    await q.query('ALTER TABLE response_drafts ADD PRIMARY KEY (patient_id)');
    await q.query('ALTER TABLE responses DROP CONSTRAINT responses_patient_part');
    await q.query('ALTER TABLE responses DROP COLUMN part');
    await q.query('ALTER TABLE responses ADD CONSTRAINT responses_patient_id_key UNIQUE (patient_id)');
  }
}
