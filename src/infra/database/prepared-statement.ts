import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * A statement run very often (once per few e-mails) as a named prepared statement on the
 * pool's connections: PostgreSQL parses it once per connection and, after a few runs, keeps
 * its plan, instead of parsing and planning a multi-join UPDATE for every call (most of the
 * database's CPU per e-mail in a profile). The name must always come with the same text.
 */
export class PreparedStatement<Row> {
  constructor(
    private readonly dataSource: DataSource,
    private readonly name: string,
    private readonly text: string,
  ) {}

  async rows(values: unknown[]): Promise<Row[]> {
    const pool = (this.dataSource.driver as unknown as { master?: Pool }).master;
    if (!pool) throw new Error('The database connection pool is not open');
    try {
      return (await pool.query({ name: this.name, text: this.text, values })).rows as Row[];
    } catch (error) {
      // A migration changed a column the statement returns ("cached plan must not change result
      // type"), or the statement is gone from the session: refused before it ran, so it runs
      // again unprepared. The pool has dropped that connection; the others re-prepare in turn.
      if (!STALE.has((error as { code?: string }).code ?? '')) throw error;
      return (await pool.query({ text: this.text, values })).rows as Row[];
    }
  }
}

const STALE = new Set(['0A000', '26000']);
