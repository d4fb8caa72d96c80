import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** An NHS trust, keyed by its ODS code. */
@Entity('trusts')
export class Trust {
  @PrimaryColumn({ type: 'text' })
  code: string;

  @Column({ type: 'text' })
  name: string;

  /** Integrated Care Board, for reporting by ICB. */
  @Column({ name: 'icb_code', type: 'text', nullable: true })
  icbCode: string | null;

  /** A Principal Treatment Centre for children's cancer: only these take part in the Under-16 survey. */
  @Column({ type: 'boolean', default: false })
  ptc: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
