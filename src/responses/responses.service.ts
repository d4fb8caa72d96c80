import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ConflictError, DomainError, ErrorDetail } from '../infra/errors/domain-error';
import { lockForSuppressionChange } from '../mailings/suppression';
import { Answers, checkAnswers } from '../questionnaires/answers';
import { PacksService } from '../questionnaires/packs.service';
import type { QuestionnaireDefinition } from '../questionnaires/questionnaire-definition';
import { ACCESS_CODE_ALPHABET } from '../samples/survey-reference';
import type { Survey } from '../surveys/survey.entity';
import { SurveysService } from '../surveys/surveys.service';
import { assertStillTakingResponses, assertTakingResponses } from './fieldwork-open';
import { recordEvent, ResponseMode, todayInEngland } from './patient-events';

type ResponseSource = 'online' | 'helpline' | 'scan';
import { PatientRef, requireByReference } from './patient-reference';

export interface OnlineQuestionnaire {
  survey: string;
  questionnaire: QuestionnaireDefinition;
  /** False once the code has been used to complete the questionnaire. */
  open: boolean;
}

export interface RecordedResponse {
  reference: string;
  mode: ResponseMode;
  receivedOn: string;
  questionsAnswered: number;
  /** A questionnaire with no answered question is a blank return (outcome 4), not a response. */
  recordedAs: 'completed' | 'blank_return';
  message?: string;
}

const BLANK_MESSAGE = 'No question was answered, so this was recorded as a blank return (outcome 4), not as a completed questionnaire';

/** One unhelpful answer for every code that opens nothing, so guessing learns nothing. */
const UNKNOWN_CODE = 'This access code is not recognised. Check it against your letter: it has 12 letters and numbers in three groups of four.';

/**
 * Completed questionnaires with their answers: online (entered with the access code from the
 * letter, which is then spent), by phone with helpline staff, and from the scanning bureau
 * (ScansService). Answers are checked against the survey's questionnaire definition and stored
 * with the patient record's id, never with a name. The first completed questionnaire is the
 * response; its arrival stops further mail and makes the outcome 1.
 */
@Injectable()
export class ResponsesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly surveys: SurveysService,
    private readonly packs: PacksService,
  ) {}

  definitionFor(survey: Survey): QuestionnaireDefinition {
    return this.packs.rendererFor(survey).questionnaire;
  }

  /** What the online form needs for an access code: the questionnaire, and whether the code is still open. */
  async onlineQuestionnaire(accessCode: string): Promise<OnlineQuestionnaire> {
    const patient = await this.byAccessCode(this.dataSource.manager, accessCode, false);
    const survey = (await this.surveys.getById(patient.survey_id))!;
    return { survey: survey.code, questionnaire: this.definitionFor(survey), open: patient.access_code_used_at === null };
  }

  async submitOnline(accessCode: string, rawAnswers: unknown): Promise<RecordedResponse> {
    return this.dataSource.transaction(async (m) => {
      const patient = await this.byAccessCode(m, accessCode, true);
      if (patient.access_code_used_at) {
        throw new ConflictError('This access code has already been used to complete the questionnaire. Thank you: there is nothing more to do.');
      }
      const survey = (await this.surveys.getById(patient.survey_id))!;
      assertTakingResponses(survey);
      const answers = this.check(survey, rawAnswers, 'refuse');
      await lockForSuppressionChange(m, survey.id);
      await assertStillTakingResponses(m, survey.id);
      const ref: PatientRef = { id: patient.id, surveyId: survey.id, trustCode: patient.trust_code, reference: patient.survey_reference };
      const recorded = await this.store(m, survey, ref, 'online', answers, todayInEngland(), 'online', 'online');
      await m.query('UPDATE patients SET access_code_used_at = now() WHERE id = $1', [patient.id]);
      return recorded;
    });
  }

  /** A questionnaire completed over the phone with helpline staff. */
  async submitPhone(surveyCode: string, reference: string, rawAnswers: unknown, by: string): Promise<RecordedResponse> {
    const survey = await this.surveys.get(surveyCode);
    assertTakingResponses(survey);
    const answers = this.check(survey, rawAnswers, 'refuse');
    return this.dataSource.transaction(async (m) => {
      await lockForSuppressionChange(m, survey.id);
      await assertStillTakingResponses(m, survey.id);
      const patient = await requireByReference(m, survey.id, survey.code, reference);
      return this.store(m, survey, patient, 'phone', answers, todayInEngland(), by, 'helpline');
    });
  }

  /** Answers checked against the definition; problems refuse them, routed-past answers are refused or dropped. */
  check(survey: Survey, raw: unknown, routedPast: 'refuse' | 'drop'): Answers {
    const checked = checkAnswers(this.definitionFor(survey), raw);
    const problems: ErrorDetail[] = [...checked.problems, ...(routedPast === 'refuse' ? checked.routedPast : [])];
    if (problems.length) {
      throw new DomainError('validation_failed', `The answers cannot be stored (${problems.length} problem${problems.length > 1 ? 's' : ''})`, problems);
    }
    return checked.answers;
  }

  /**
   * Stores the response and its "completed" event in the caller's transaction. A patient with
   * a response already keeps the first one: a second is refused, naming when the first came.
   * With no answered question it is a blank return instead (see recordBlank).
   */
  async store(
    m: EntityManager, survey: Survey, patient: PatientRef, mode: ResponseMode, answers: Answers, receivedOn: string,
    by: string, source: ResponseSource,
  ): Promise<RecordedResponse> {
    if (!Object.keys(answers).length) return (await this.recordBlank(m, survey, patient, mode, receivedOn, by, source)).result;
    const rows: unknown[] = await m.query(
      `INSERT INTO responses (survey_id, patient_id, mode, answers, received_on, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (patient_id) DO NOTHING RETURNING id`,
      [survey.id, patient.id, mode, answers, receivedOn, by]);
    if (!rows.length) await this.refuseSecondResponse(m, patient.id);
    // A paper questionnaire booked in at the post room and then scanned is one completion.
    await recordEvent(m, {
      surveyId: survey.id, patientId: patient.id, kind: 'completed', mode, occurredOn: receivedOn, recordedBy: by, source,
      dedupeKey: mode === 'paper' ? `return:completed:${receivedOn}` : `response:${mode}`,
    });
    return { reference: patient.reference, mode, receivedOn, questionsAnswered: Object.keys(answers).length, recordedAs: 'completed' };
  }

  /**
   * A questionnaire that came back with no question answered: a blank return (outcome 4, which
   * stops further mail), on paper and online alike, and no response row, since only answers
   * make a respondent. A paper one keyed like the post room's "blank" booking of the same
   * envelope, so booking it and scanning it is one event; `recorded` is false for a repeat.
   */
  async recordBlank(
    m: EntityManager, survey: Survey, patient: PatientRef, mode: ResponseMode, receivedOn: string, by: string, source: ResponseSource,
  ): Promise<{ recorded: boolean; result: RecordedResponse }> {
    await this.refuseSecondResponse(m, patient.id);
    const { recorded } = await recordEvent(m, {
      surveyId: survey.id, patientId: patient.id, kind: 'blank_return', occurredOn: receivedOn, recordedBy: by, source,
      dedupeKey: mode === 'paper' ? `return:blank:${receivedOn}` : `blank:${mode}`,
    });
    return { recorded, result: { reference: patient.reference, mode, receivedOn, questionsAnswered: 0, recordedAs: 'blank_return', message: BLANK_MESSAGE } };
  }

  private async refuseSecondResponse(m: EntityManager, patientId: string): Promise<void> {
    const [first] = await m.query(`SELECT mode, to_char(received_on, 'YYYY-MM-DD') AS on FROM responses WHERE patient_id = $1`, [patientId]);
    if (first) throw new ConflictError(`A completed questionnaire for this patient was already received (${first.mode}, ${first.on}); the first one counts`);
  }

  /** The patient and survey an access code opens (for the online form); refused alike when unknown. */
  async openedBy(accessCode: string): Promise<{ patientId: string; survey: Survey; used: boolean; code: string; trustCode: string; trustName: string }> {
    const patient = await this.byAccessCode(this.dataSource.manager, accessCode, false);
    const survey = (await this.surveys.getById(patient.survey_id))!;
    const [trust] = await this.dataSource.query('SELECT name FROM trusts WHERE code = $1', [patient.trust_code]);
    return {
      patientId: patient.id, survey, used: patient.access_code_used_at !== null, code: normaliseAccessCode(accessCode)!,
      trustCode: patient.trust_code, trustName: trust?.name ?? patient.trust_code,
    };
  }

  private async byAccessCode(m: Pick<EntityManager, 'query'>, raw: string, forUpdate: boolean) {
    const code = normaliseAccessCode(raw);
    if (!code) throw new DomainError('not_found', UNKNOWN_CODE);
    // The newest survey holding the code: last year's patients are purged after their fieldwork.
    const [patient] = await m.query(
      `SELECT p.id::text AS id, p.survey_id, p.trust_code, p.survey_reference, p.access_code_used_at
       FROM patients p JOIN surveys s ON s.id = p.survey_id
       WHERE p.access_code = $1 AND s.status NOT IN ('closed', 'purged')
       ORDER BY s.period_start DESC LIMIT 1 ${forUpdate ? 'FOR UPDATE OF p' : ''}`, [code]);
    if (!patient) throw new DomainError('not_found', UNKNOWN_CODE);
    return patient as { id: string; survey_id: string; trust_code: string; survey_reference: string; access_code_used_at: Date | null };
  }
}

/** "k7mr 2xqp 9hta" → "K7MR-2XQP-9HTA"; null when it cannot be an access code. */
export function normaliseAccessCode(raw: string): string | null {
  const letters = String(raw ?? '').toUpperCase().replace(/[\s-]/g, '');
  if (letters.length !== 12 || [...letters].some((c) => !ACCESS_CODE_ALPHABET.includes(c))) return null;
  return `${letters.slice(0, 4)}-${letters.slice(4, 8)}-${letters.slice(8)}`;
}

