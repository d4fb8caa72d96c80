import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { DomainError } from '../infra/errors/domain-error';
import { lockForSuppressionChange } from '../mailings/suppression';
import { OnlineFormService } from './online-form.service';
import { recordEvent, todayInEngland } from './patient-events';
import { normaliseAccessCode } from './responses.service';

/**
 * Where the patient behind an access code stands with the survey, as the opt-out page tells it:
 * `open` may still opt out; `opted_out` already has (by any way in: this page, an e-mail's
 * one-click link or the helpline); `responded` has sent a completed questionnaire back (paper,
 * online or phone), so nothing more is sent anyway; `closed` belongs to a survey that has ended.
 */
export type OptOutStanding = 'open' | 'opted_out' | 'responded' | 'closed';

export interface OptOutResult {
  standing: OptOutStanding;
  /** True when this request recorded the opt-out (false when it was already there, or could not be). */
  recorded: boolean;
  code: string;
  survey: string;
  reference: string;
}

/** How the opt-out reached us, kept in the event's details. */
export type OptOutVia = 'opt-out page' | 'e-mail one-click';

interface CodeRow { id: string; access_code: string; survey_id: string; survey_code: string; status: string; reference: string; responded: boolean; opted_out: boolean }

/**
 * The patient's own "I do not want to take part", from the opt-out page or an e-mail's
 * one-click unsubscribe. It is the helpline's opt-out event (kind `opt_out`, outcome 4) with
 * source `online`, recorded under the suppression lock, so every later letter and e-mail is
 * suppressed when produced. Access codes are looked up through the online form's guard: an
 * unknown code counts against the caller's address like any other guess.
 */
@Injectable()
export class OptOutService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly form: OnlineFormService,
    private readonly audit: AuditService,
  ) {}

  /** Where the code's patient stands, for the page that asks them to confirm. */
  standing(code: string, ip: string): Promise<OptOutResult> {
    return this.form.guarded(ip, async () => {
      const row = await this.byCode(this.dataSource.manager, code, false);
      return this.result(row, standingOf(row), false);
    });
  }

  /** Records the opt-out once; asking again, or after responding, changes nothing. */
  async optOut(code: string, ip: string, via: OptOutVia): Promise<OptOutResult> {
    const result = await this.form.guarded(ip, () => this.dataSource.transaction(async (m) => {
      let row = await this.byCode(m, code, true);
      if (row.status !== 'closed' && row.status !== 'purged') {
        await lockForSuppressionChange(m, row.survey_id);
        // Read again under both locks (survey:close takes the suppression lock exclusively, the
        // patient row is ours): a close, a response or another opt-out cannot slip in between.
        row = await this.byCode(m, code, false);
      }
      const standing = standingOf(row);
      if (standing !== 'open') return this.result(row, standing, false);
      await recordEvent(m, {
        surveyId: row.survey_id, patientId: row.id, kind: 'opt_out', occurredOn: todayInEngland(), recordedBy: 'online',
        source: 'online', dedupeKey: 'opt_out:online', details: { reason: 'not given', via },
      });
      return this.result(row, 'opted_out', true);
    }));
    if (result.recorded) {
      await this.audit.record({
        actor: 'patient (online)', actorRole: null, action: 'patient.opt_out', surveyCode: result.survey, references: [result.reference],
        details: { via },
      });
    }
    return result;
  }

  /**
   * The patient a code opens: in the newest open survey holding it, else the newest closed one
   * (so the page can say the survey has ended rather than that the code is wrong).
   */
  private async byCode(m: Pick<EntityManager, 'query'>, raw: string, forUpdate: boolean): Promise<CodeRow> {
    const code = normaliseAccessCode(raw);
    const [row] = code ? await m.query(
      `SELECT p.id::text AS id, p.access_code, p.survey_id, s.code AS survey_code, s.status, p.survey_reference AS reference,
         EXISTS (SELECT 1 FROM patient_events e WHERE e.patient_id = p.id AND e.kind = 'completed') AS responded,
         EXISTS (SELECT 1 FROM patient_events e WHERE e.patient_id = p.id AND e.kind = 'opt_out') AS opted_out
       FROM patients p JOIN surveys s ON s.id = p.survey_id
       WHERE p.access_code = $1
       ORDER BY s.status IN ('closed', 'purged'), s.period_start DESC LIMIT 1 ${forUpdate ? 'FOR UPDATE OF p' : ''}`, [code]) : [];
    if (!row) throw new DomainError('not_found', 'This access code is not recognised. Check it against your letter or e-mail.');
    return row;
  }

  private result(row: CodeRow, standing: OptOutStanding, recorded: boolean): OptOutResult {
    return { standing, recorded, code: row.access_code, survey: row.survey_code, reference: row.reference };
  }
}

function standingOf(row: CodeRow): OptOutStanding {
  if (row.status === 'closed' || row.status === 'purged') return 'closed';
  if (row.responded) return 'responded';
  return row.opted_out ? 'opted_out' : 'open';
}
