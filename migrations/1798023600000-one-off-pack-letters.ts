import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A one-off pack (large print, a replacement) is stored by the letter of the full pack it
 * repeats. Letters were only the default plan's; a survey's own plan names its own (the
 * Under-16 survey's u16-initial), so the step column takes any letter's name.
 */
export class OneOffPackLetters1798023600000 implements MigrationInterface {
  name = 'OneOffPackLetters1798023600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE one_off_packs DROP CONSTRAINT one_off_packs_step_check');
    await q.query(`ALTER TABLE one_off_packs ADD CONSTRAINT one_off_packs_step_check CHECK (step ~ '^[a-z0-9][a-z0-9_-]{0,60}$')`);
  }

  async down(q: QueryRunner): Promise<void> {
    const [{ named }] = await q.query(`SELECT count(*)::int AS named FROM one_off_packs WHERE step NOT IN ('initial', 'reminder_1', 'reminder_2')`);
    if (named) throw new Error(`${named} one-off packs repeat a survey's own letter: they cannot be kept under the old check`);
    await q.query('ALTER TABLE one_off_packs DROP CONSTRAINT one_off_packs_step_check');
    await q.query(`ALTER TABLE one_off_packs ADD CONSTRAINT one_off_packs_step_check CHECK (step IN ('initial', 'reminder_1', 'reminder_2'))`);
  }
}
