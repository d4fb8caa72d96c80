import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { SurveyKind } from './survey-kinds';
import type { SurveySettings } from './survey-settings';

export const SURVEY_STATUSES = ['setup', 'sampling', 'fieldwork', 'closed', 'purged'] as const;
export type SurveyStatus = (typeof SURVEY_STATUSES)[number];

@Entity('surveys')
export class Survey {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** e.g. CPES-2026; what coordinators type and see. */
  @Column({ type: 'text', unique: true })
  code: string;

  @Column({ type: 'text' })
  name: string;

  /** Discharges in [periodStart, periodEnd] are in the sample (ISO dates). */
  @Column({ name: 'period_start', type: 'date' })
  periodStart: string;

  @Column({ name: 'period_end', type: 'date' })
  periodEnd: string;

  @Column({ type: 'text' })
  status: SurveyStatus;

  /** Which survey this is a year of (adult CPES or Under-16); its settings' defaults came from it. */
  @Column({ type: 'text', default: 'adult' })
  kind: SurveyKind;

  @Column({ type: 'jsonb' })
  settings: SurveySettings;

  /** Once set, trusts can no longer upload or replace sample files. */
  @Column({ name: 'sample_locked_at', type: 'timestamptz', nullable: true })
  sampleLockedAt: Date | null;

  /** Fieldwork over: nothing more reaches patients; the purge may follow after the retention period. */
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  /** Patient-identifiable data destroyed. */
  @Column({ name: 'purged_at', type: 'timestamptz', nullable: true })
  purgedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
