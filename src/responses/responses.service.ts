import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ConflictError, DomainError, ErrorDetail } from '../infra/errors/domain-error';
import { lockForSuppressionChange } from '../mailings/suppression';
import { Answers, checkAnswers } from '../questionnaires/answers';
import { PacksService } from '../questionnaires/packs.service';
import type { QuestionnaireDefinition } from '../questionnaires/questionnaire-definition';
import { hasRespondents, PART_NAMES, partOf, questionnaireParts, ResponsePart, splitByPart } from '../questionnaires/questionnaire-parts';
import { ACCESS_CODE_ALPHABET } from '../samples/survey-reference';
import { parseSurveySettings } from '../surveys/survey-settings';
import type { Survey } from '../surveys/survey.entity';
import { SurveysService } from '../surveys/surveys.service';
import { assertStillTakingResponses, assertTakingResponses } from './fieldwork-open';
import { recordEvent, ResponseMode, todayInEngland } from './patient-events';

type ResponseSource = 'online' | 'helpline' | 'scan';
import { PatientRef, requireByReference } from './patient-reference';

export interface OnlineQuestionnaire {
  survey: string;
  questionnaire: QuestionnaireDefinition;
  /** False once the code has been used to complete the questionnaire (every part of it). */
  open: boolean;
  /** A questionnaire in parts (one per respondent): each part, and whether it has been returned. */
  parts?: { part: ResponsePart; returned: boolean }[];
}

export interface RecordedResponse {
  reference: string;
  mode: ResponseMode;
  receivedOn: string;
  questionsAnswered: number;
  /** A questionnaire with no answered question is a blank return (outcome 4), not a response. */
  recordedAs: 'completed' | 'blank_return' | 'blank_part';
  /** The parts stored, for a questionnaire in parts (the child's, the parent's). */
  parts?: ResponsePart[];
  message?: string;
}

const BLANK_MESSAGE = 'No question was answered, so this was recorded as a blank return (outcome 4), not as a completed questionnaire';
const BLANK_PART_MESSAGE = 'No question in this part was answered, so it counts as not returned';

/** The patient a response is for, with the questionnaire they were sent (null: the survey's). */
export type RespondingPatient = PatientRef & { questionnaire?: string | null };

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

  /** The patient's questionnaire (chosen by age for the Under-16 survey), or the survey's. */
  definitionFor(survey: Survey, questionnaire?: string | null): QuestionnaireDefinition {
    return this.packs.questionnaireFor(survey, questionnaire);
  }

  /** Every questionnaire the survey sends: its own, and one per age band. */
  questionnairesOf(survey: Survey): QuestionnaireDefinition[] {
    const settings = parseSurveySettings(survey.settings);
    const names = new Set([settings.questionnaire, ...(settings.questionnaireByAge ?? []).map((b) => b.questionnaire)]);
    return [...names].map((name) => this.definitionFor(survey, name));
  }

  /** What the online form needs for an access code: the questionnaire, its parts, and whether the code is still open. */
  async onlineQuestionnaire(accessCode: string): Promise<OnlineQuestionnaire> {
    const patient = await this.byAccessCode(this.dataSource.manager, accessCode, false);
    const survey = (await this.surveys.getById(patient.survey_id))!;
    const questionnaire = this.definitionFor(survey, patient.questionnaire);
    const out: OnlineQuestionnaire = { survey: survey.code, questionnaire, open: patient.access_code_used_at === null };
    if (hasRespondents(questionnaire)) {
      const returned = await this.returnedParts(this.dataSource.manager, patient.id);
      out.parts = questionnaireParts(questionnaire).map(({ part }) => ({ part, returned: returned.includes(part) }));
    }
    return out;
  }

  /**
   * Answers sent online with the access code: the whole questionnaire, or one part of one in
   * parts (`part`: child or parent). The code is spent when every part has been returned.
   */
  async submitOnline(accessCode: string, rawAnswers: unknown, partName?: string): Promise<RecordedResponse> {
    return this.dataSource.transaction(async (m) => {
      const patient = await this.byAccessCode(m, accessCode, true);
      if (patient.access_code_used_at) {
        throw new ConflictError('This access code has already been used to complete the questionnaire. Thank you: there is nothing more to do.');
      }
      const survey = (await this.surveys.getById(patient.survey_id))!;
      assertTakingResponses(survey);
      const definition = this.definitionFor(survey, patient.questionnaire);
      const part = partNamed(definition, partName);
      const answers = checkedOrThrow(checkAnswers(partOf(definition, part)!, rawAnswers), 'refuse');
      if (part !== 'whole' && !Object.keys(answers).length) {
        // One person's part sent with nothing answered: not returned, and open to be filled in later.
        return { reference: patient.survey_reference, mode: 'online', receivedOn: todayInEngland(), questionsAnswered: 0, recordedAs: 'blank_part', parts: [], message: BLANK_PART_MESSAGE };
      }
      await lockForSuppressionChange(m, survey.id);
      await assertStillTakingResponses(m, survey.id);
      const ref: PatientRef = { id: patient.id, surveyId: survey.id, trustCode: patient.trust_code, reference: patient.survey_reference };
      const recorded = await this.store(m, survey, ref, 'online', answers, todayInEngland(), 'online', 'online', part);
      const returned = await this.returnedParts(m, patient.id);
      // A part sent blank is not returned: the code stays open for it (and for any other part).
      if (part === 'whole' || questionnaireParts(definition).every((p) => returned.includes(p.part))) {
        await m.query('UPDATE patients SET access_code_used_at = now() WHERE id = $1', [patient.id]);
      }
      return recorded;
    });
  }

  /** A questionnaire completed over the phone with helpline staff (every part of one in parts, answers filed by question id). */
  async submitPhone(surveyCode: string, reference: string, rawAnswers: unknown, by: string): Promise<RecordedResponse> {
    const survey = await this.surveys.get(surveyCode);
    assertTakingResponses(survey);
    return this.dataSource.transaction(async (m) => {
      await lockForSuppressionChange(m, survey.id);
      await assertStillTakingResponses(m, survey.id);
      const patient = await requireByReference(m, survey.id, survey.code, reference);
      const [{ questionnaire }] = await m.query('SELECT questionnaire FROM patients WHERE id = $1', [patient.id]);
      const definition = this.definitionFor(survey, questionnaire);
      const parts = this.checkParts(definition, rawAnswers, 'refuse');
      const recorded = await this.storeParts(m, survey, patient, 'phone', parts, todayInEngland(), by, 'helpline');
      // The last part in by phone (the other came online or on paper) spends the code, as online.
      if (hasRespondents(definition)) {
        const returned = await this.returnedParts(m, patient.id);
        if (questionnaireParts(definition).every((p) => returned.includes(p.part))) {
          await m.query('UPDATE patients SET access_code_used_at = coalesce(access_code_used_at, now()) WHERE id = $1', [patient.id]);
        }
      }
      return recorded;
    });
  }

  /** Answers checked against the survey's questionnaire; problems refuse them, routed-past answers are refused or dropped. */
  check(survey: Survey, raw: unknown, routedPast: 'refuse' | 'drop'): Answers {
    return checkedOrThrow(checkAnswers(this.definitionFor(survey), raw), routedPast);
  }

  /**
   * Answers to a whole questionnaire, checked part by part (each part is routed on its own):
   * the answers of each part, or every problem found, each naming its question.
   */
  checkParts(definition: QuestionnaireDefinition, raw: unknown, routedPast: 'refuse' | 'drop'): { part: ResponsePart; answers: Answers }[] {
    if (!hasRespondents(definition) || typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return [{ part: 'whole', answers: checkedOrThrow(checkAnswers(definition, raw), routedPast) }];
    }
    const problems: ErrorDetail[] = [];
    const out = splitByPart(definition, raw as Record<string, unknown>).map(({ part, definition: d, raw: given }) => {
      const checked = checkAnswers(d, given);
      problems.push(...checked.problems, ...(routedPast === 'refuse' ? checked.routedPast : []));
      return { part, answers: checked.answers };
    });
    if (problems.length) throw answersRefused(problems);
    return out;
  }

  /**
   * Stores every answered part of one questionnaire (a phone interview, a scanned pack); with
   * no part answered it is a blank return, as for a questionnaire without parts.
   */
  async storeParts(
    m: EntityManager, survey: Survey, patient: PatientRef, mode: ResponseMode, parts: { part: ResponsePart; answers: Answers }[],
    receivedOn: string, by: string, source: ResponseSource,
  ): Promise<RecordedResponse> {
    const answered = parts.filter((p) => Object.keys(p.answers).length);
    if (!answered.length) return this.store(m, survey, patient, mode, {}, receivedOn, by, source, parts[0].part);
    const results: RecordedResponse[] = [];
    for (const p of answered) results.push(await this.store(m, survey, patient, mode, p.answers, receivedOn, by, source, p.part));
    if (results.length === 1) return results[0];
    return { ...results[0], questionsAnswered: results.reduce((n, r) => n + r.questionsAnswered, 0), parts: answered.map((p) => p.part) };
  }

  /** The parts of a patient's questionnaire already returned with answers ('whole' for one without parts). */
  async returnedParts(m: Pick<EntityManager, 'query'>, patientId: string): Promise<ResponsePart[]> {
    return (await m.query('SELECT part FROM responses WHERE patient_id = $1', [patientId])).map((r: { part: ResponsePart }) => r.part);
  }

  /**
   * Stores the response (one part of a questionnaire in parts) and its "completed" event in the
   * caller's transaction. A patient with a response already keeps the first one: a second is
   * refused, naming when the first came; for a questionnaire in parts, a second copy of the same
   * part is refused, while another part arriving later is kept (the patient responded with the
   * first). With no answered question it is a blank return instead (see recordBlank), except
   * that a blank part of a patient who has returned another part counts as not returned.
   */
  async store(
    m: EntityManager, survey: Survey, patient: PatientRef, mode: ResponseMode, answers: Answers, receivedOn: string,
    by: string, source: ResponseSource, part: ResponsePart = 'whole',
  ): Promise<RecordedResponse> {
    const parted = part === 'whole' ? {} : { parts: [part] };
    if (!Object.keys(answers).length) {
      if (part !== 'whole' && (await this.returnedParts(m, patient.id)).length) {
        return { reference: patient.reference, mode, receivedOn, questionsAnswered: 0, recordedAs: 'blank_part', parts: [], message: BLANK_PART_MESSAGE };
      }
      return (await this.recordBlank(m, survey, patient, mode, receivedOn, by, source, part)).result;
    }
    const rows: unknown[] = await m.query(
      `INSERT INTO responses (survey_id, patient_id, mode, answers, received_on, recorded_by, part)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (patient_id, part) DO NOTHING RETURNING id`,
      [survey.id, patient.id, mode, answers, receivedOn, by, part]);
    if (!rows.length) await this.refuseSecondResponse(m, patient.id, part);
    // A paper questionnaire booked in at the post room and then scanned is one completion.
    await recordEvent(m, {
      surveyId: survey.id, patientId: patient.id, kind: 'completed', mode, occurredOn: receivedOn, recordedBy: by, source,
      dedupeKey: mode === 'paper' ? `return:completed:${receivedOn}` : `response:${mode}`,
    });
    return { reference: patient.reference, mode, receivedOn, questionsAnswered: Object.keys(answers).length, recordedAs: 'completed', ...parted };
  }

  /**
   * A questionnaire that came back with no question answered: a blank return (outcome 4, which
   * stops further mail), on paper and online alike, and no response row, since only answers
   * make a respondent. A paper one keyed like the post room's "blank" booking of the same
   * envelope, so booking it and scanning it is one event; `recorded` is false for a repeat.
   */
  async recordBlank(
    m: EntityManager, survey: Survey, patient: PatientRef, mode: ResponseMode, receivedOn: string, by: string, source: ResponseSource,
    part: ResponsePart = 'whole',
  ): Promise<{ recorded: boolean; result: RecordedResponse }> {
    await this.refuseSecondResponse(m, patient.id, part);
    const { recorded } = await recordEvent(m, {
      surveyId: survey.id, patientId: patient.id, kind: 'blank_return', occurredOn: receivedOn, recordedBy: by, source,
      dedupeKey: mode === 'paper' ? `return:blank:${receivedOn}` : `blank:${mode}`,
    });
    return { recorded, result: { reference: patient.reference, mode, receivedOn, questionsAnswered: 0, recordedAs: 'blank_return', message: BLANK_MESSAGE } };
  }

  private async refuseSecondResponse(m: EntityManager, patientId: string, part: ResponsePart = 'whole'): Promise<void> {
    const [first] = await m.query(
      `SELECT mode, to_char(received_on, 'YYYY-MM-DD') AS on FROM responses WHERE patient_id = $1 AND ($2 = 'whole' OR part = $2)`, [patientId, part]);
    if (!first) return;
    if (part === 'whole') throw new ConflictError(`A completed questionnaire for this patient was already received (${first.mode}, ${first.on}); the first one counts`);
    throw new ConflictError(`The part for ${PART_NAMES[part]} was already received for this patient (${first.mode}, ${first.on}); the first one counts`);
  }

  /** The patient and survey an access code opens (for the online form); refused alike when unknown. */
  async openedBy(accessCode: string): Promise<{
    patientId: string; survey: Survey; used: boolean; code: string; trustCode: string; trustName: string;
    definition: QuestionnaireDefinition; returnedParts: ResponsePart[];
  }> {
    const patient = await this.byAccessCode(this.dataSource.manager, accessCode, false);
    const survey = (await this.surveys.getById(patient.survey_id))!;
    const [trust] = await this.dataSource.query('SELECT name FROM trusts WHERE code = $1', [patient.trust_code]);
    return {
      patientId: patient.id, survey, used: patient.access_code_used_at !== null, code: normaliseAccessCode(accessCode)!,
      trustCode: patient.trust_code, trustName: trust?.name ?? patient.trust_code,
      definition: this.definitionFor(survey, patient.questionnaire), returnedParts: await this.returnedParts(this.dataSource.manager, patient.id),
    };
  }

  private async byAccessCode(m: Pick<EntityManager, 'query'>, raw: string, forUpdate: boolean) {
    const code = normaliseAccessCode(raw);
    if (!code) throw new DomainError('not_found', UNKNOWN_CODE);
    // The newest survey holding the code: last year's patients are purged after their fieldwork.
    const [patient] = await m.query(
      `SELECT p.id::text AS id, p.survey_id, p.trust_code, p.survey_reference, p.access_code_used_at, p.questionnaire
       FROM patients p JOIN surveys s ON s.id = p.survey_id
       WHERE p.access_code = $1 AND s.status NOT IN ('closed', 'purged')
       ORDER BY s.period_start DESC LIMIT 1 ${forUpdate ? 'FOR UPDATE OF p' : ''}`, [code]);
    if (!patient) throw new DomainError('not_found', UNKNOWN_CODE);
    return patient as {
      id: string; survey_id: string; trust_code: string; survey_reference: string; access_code_used_at: Date | null; questionnaire: string | null;
    };
  }
}

function answersRefused(problems: ErrorDetail[]): DomainError {
  return new DomainError('validation_failed', `The answers cannot be stored (${problems.length} problem${problems.length > 1 ? 's' : ''})`, problems);
}

function checkedOrThrow(checked: ReturnType<typeof checkAnswers>, routedPast: 'refuse' | 'drop'): Answers {
  const problems: ErrorDetail[] = [...checked.problems, ...(routedPast === 'refuse' ? checked.routedPast : [])];
  if (problems.length) throw answersRefused(problems);
  return checked.answers;
}

/**
 * The part an online submission is for: none (or 'whole') for a questionnaire without parts;
 * one of its parts (child, parent) for one in parts.
 */
export function partNamed(definition: QuestionnaireDefinition, name: string | undefined): ResponsePart {
  const parts = questionnaireParts(definition).map((p) => p.part);
  if (!hasRespondents(definition)) {
    if (name === undefined || name === 'whole') return 'whole';
    throw new DomainError('validation_failed', 'This questionnaire is answered as a whole: leave out part', [{ where: 'part', message: 'not a part of this questionnaire' }]);
  }
  if (name !== undefined && (parts as string[]).includes(name)) return name as ResponsePart;
  throw new DomainError('validation_failed', `This questionnaire is answered in parts: part must be one of ${parts.join(', ')}`,
    [{ where: 'part', message: name === undefined ? 'missing' : 'not a part of this questionnaire' }]);
}

/** "k7mr 2xqp 9hta" → "K7MR-2XQP-9HTA"; null when it cannot be an access code. */
export function normaliseAccessCode(raw: string): string | null {
  const letters = String(raw ?? '').toUpperCase().replace(/[\s-]/g, '');
  if (letters.length !== 12 || [...letters].some((c) => !ACCESS_CODE_ALPHABET.includes(c))) return null;
  return `${letters.slice(0, 4)}-${letters.slice(4, 8)}-${letters.slice(8)}`;
}

