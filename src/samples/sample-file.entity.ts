import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ExclusionReason } from './sample-row';

/** One upload of a trust's sample file and its outcome. Patients come only from accepted files. */
@Entity('sample_files')
export class SampleFile {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'survey_id', type: 'uuid' })
  surveyId: string;

  @Column({ name: 'trust_code', type: 'text' })
  trustCode: string;

  @Column({ name: 'file_name', type: 'text' })
  fileName: string;

  @Column({ type: 'text' })
  format: 'csv' | 'xlsx';

  @Column({ type: 'text' })
  status: 'accepted' | 'rejected';

  /** Why the whole file was rejected; null when accepted. */
  @Column({ type: 'text', nullable: true })
  rejection: string | null;

  @Column({ name: 'rows_read', type: 'integer' })
  rowsRead: number;

  @Column({ name: 'rows_rejected', type: 'integer' })
  rowsRejected: number;

  @Column({ type: 'jsonb' })
  excluded: Record<ExclusionReason, number>;

  @Column({ type: 'integer' })
  sampled: number;

  @Column({ name: 'uploaded_by', type: 'text' })
  uploadedBy: string;

  @Column({ name: 'uploaded_at', type: 'timestamptz' })
  uploadedAt: Date;

  /** Set when a newer accepted file from the same trust replaced this one. */
  @Column({ name: 'superseded_at', type: 'timestamptz', nullable: true })
  supersededAt: Date | null;
}
