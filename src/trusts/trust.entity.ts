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

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
