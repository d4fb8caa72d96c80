import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../infra/errors/domain-error';
import { Answers, checkAnswer, nextQuestion, routedPath } from '../questionnaires/answers';
import { allQuestions } from '../questionnaires/load-questionnaire';
import type { Question, QuestionnaireDefinition } from '../questionnaires/questionnaire-definition';
import { hasRespondents, partOf, questionnaireParts, ResponsePart } from '../questionnaires/questionnaire-parts';
import type { Survey } from '../surveys/survey.entity';
import { OnlineQuestionnaire, RecordedResponse, ResponsesService } from './responses.service';

const FAILURE_WINDOW_MINUTES = 15;
const MAX_FAILURES_PER_IP = 10;

const heldBack = () => new DomainError('too_many_requests',
  `Too many codes were tried from here. Wait ${FAILURE_WINDOW_MINUTES} minutes, then check the code on your letter and try again.`);

export interface FormState {
  survey: Survey;
  /** What is being answered: the whole questionnaire, or one respondent's part of it. */
  definition: QuestionnaireDefinition;
  /** The patient's whole questionnaire (with every part). */
  questionnaire: QuestionnaireDefinition;
  part: ResponsePart;
  /** Parts already returned with answers (a questionnaire in parts). */
  returnedParts: ResponsePart[];
  patientId: string;
  code: string;
  trustCode: string;
  trustName: string;
  answers: Answers;
  position: number;
  /** Whether the patient has been here before (their answers so far are saved). */
  started: boolean;
}

/**
 * The online questionnaire one question at a time: answers are saved as the patient goes, so
 * they can stop and come back with the same code, and routing decides the next question from
 * the answer just given. Guessing codes is slowed down: after ten unknown codes from one
 * address in 15 minutes, that address is refused for a while, on the pages and the API alike.
 */
/**
 * A part name (in the address) that the code's questionnaire does not have: the code itself is
 * good, so the person is sent back to its start (who is answering), not told the code is wrong.
 */
export class NoSuchPartError extends DomainError {
  constructor(readonly accessCode: string, readonly parted: boolean, readonly surveyCode: string, readonly trustCode: string) {
    super('not_found', 'There is no such part in this questionnaire', [{ where: 'part', message: 'not a part of this questionnaire' }]);
  }
}

@Injectable()
export class OnlineFormService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly responses: ResponsesService,
  ) {}

  /**
   * The form behind a code (for a questionnaire in parts, `part` names the respondent's part;
   * without it, the state is for the page asking who is answering); an unknown code counts
   * against the address it came from.
   */
  async open(code: string, ip: string, part?: string): Promise<FormState & { used: boolean }> {
    const opened = await this.guarded(ip, () => this.responses.openedBy(code));
    const parted = hasRespondents(opened.definition);
    const chosen = (part ?? (parted ? questionnaireParts(opened.definition)[0].part : 'whole')) as ResponsePart;
    const definition = parted || part !== undefined ? partOf(opened.definition, chosen) : opened.definition;
    if (!definition) throw new NoSuchPartError(opened.code, parted, opened.survey.code, opened.trustCode);
    const [draft] = await this.dataSource.query(
      'SELECT answers, position FROM response_drafts WHERE patient_id = $1 AND part = $2', [opened.patientId, chosen]);
    return {
      survey: opened.survey, definition, questionnaire: opened.definition, part: chosen, returnedParts: opened.returnedParts,
      patientId: opened.patientId, code: opened.code, trustCode: opened.trustCode, trustName: opened.trustName,
      answers: draft?.answers ?? {}, position: draft?.position ?? 1, started: Boolean(draft), used: opened.used,
    };
  }

  /** Each part of a questionnaire in parts, whether it has been returned, and whether a draft of it is saved. */
  async parts(state: FormState): Promise<{ part: ResponsePart; returned: boolean; started: boolean }[]> {
    const drafts: { part: ResponsePart }[] = await this.dataSource.query('SELECT part FROM response_drafts WHERE patient_id = $1', [state.patientId]);
    return questionnaireParts(state.questionnaire).map(({ part }) => ({
      part, returned: state.returnedParts.includes(part), started: drafts.some((d) => d.part === part),
    }));
  }

  /** The questionnaire behind a code, for the API's online form (the same limit as the pages). */
  questionnaire(code: string, ip: string): Promise<OnlineQuestionnaire> {
    return this.guarded(ip, () => this.responses.onlineQuestionnaire(code));
  }

  /** All the answers at once through the API, or one part's (the same limit as the pages). */
  submitAnswers(code: string, answers: unknown, ip: string, part?: string): Promise<RecordedResponse> {
    return this.guarded(ip, () => this.responses.submitOnline(code, answers, part));
  }

  /**
   * Every way in by access code passes here. At most ten unknown codes from one address are
   * answered "not found" in the window, however many arrive at once and in however many
   * processes: each one is recorded under a per-address lock in PostgreSQL before it is
   * answered, and one that finds the ten already recorded is held back instead. (The opt-out
   * page and e-mail link come in here too: OptOutService.)
   */
  async guarded<T>(ip: string, lookup: () => Promise<T>): Promise<T> {
    const [{ failures }] = await this.dataSource.query(
      `SELECT count(*)::int AS failures FROM access_code_failures WHERE ip = $1 AND at > now() - make_interval(mins => $2)`, [ip, FAILURE_WINDOW_MINUTES]);
    if (failures >= MAX_FAILURES_PER_IP) throw heldBack();
    try {
      return await lookup();
    } catch (error) {
      if (error instanceof DomainError && error.code === 'not_found' && !(await this.recordUnknownCode(ip))) throw heldBack();
      throw error;
    }
  }

  /** Counts one unknown code against the address; false when it has had its ten already. */
  private recordUnknownCode(ip: string): Promise<boolean> {
    return this.dataSource.transaction(async (m) => {
      // Serialises this address's count-then-insert across connections and processes; each
      // statement after the lock sees what the previous holder committed.
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`access-code-failures:${ip}`]);
      await m.query('DELETE FROM access_code_failures WHERE ip = $1 AND at <= now() - make_interval(mins => $2)', [ip, FAILURE_WINDOW_MINUTES]);
      const [{ failures }] = await m.query(
        `SELECT count(*)::int AS failures FROM access_code_failures WHERE ip = $1 AND at > now() - make_interval(mins => $2)`, [ip, FAILURE_WINDOW_MINUTES]);
      if (failures >= MAX_FAILURES_PER_IP) return false;
      await m.query('INSERT INTO access_code_failures (ip) VALUES ($1)', [ip]);
      return true;
    });
  }

  question(state: FormState, number: number): Question {
    const q = allQuestions(state.definition)[number - 1];
    if (!q) throw new DomainError('not_found', 'There is no such question in this questionnaire');
    return q;
  }

  /**
   * Question `number` when the patient's routing reaches it; otherwise where to send them
   * instead: the next question the routing reaches, or null for the check-your-answers page.
   * A question the routing skips is never shown, so it cannot be answered by its address.
   */
  onRoute(state: FormState, number: number): { question: Question } | { instead: number | null } {
    const q = this.question(state, number);
    const path = this.path(state);
    if (path.includes(q)) return { question: q };
    return { instead: path.find((x) => x.number > q.number)?.number ?? null };
  }

  /** True when no question on the patient's route has an answer: sending it would be a blank return. */
  nothingAnswered(state: FormState): boolean {
    return this.path(state).every((q) => state.answers[q.id] === undefined);
  }

  /** Checks and saves one answer (blank is allowed: every question may be skipped); returns the next question or null for the end. */
  async answer(state: FormState, number: number, raw: unknown): Promise<number | null> {
    const q = this.question(state, number);
    const { value, problem } = checkAnswer(q, raw);
    if (problem) throw new DomainError('validation_failed', problem, [{ where: q.id, message: problem }]);
    const answers = { ...state.answers };
    if (value === undefined) delete answers[q.id];
    else answers[q.id] = value;
    const next = nextQuestion(state.definition, number, answers);
    await this.dataSource.query(
      `INSERT INTO response_drafts (patient_id, answers, position, part) VALUES ($1, $2, $3, $4)
       ON CONFLICT (patient_id, part) DO UPDATE SET answers = $2, position = $3, updated_at = now()`,
      [state.patientId, answers, next ?? number, state.part]);
    state.answers = answers;
    return next;
  }

  /** The answered questions on the respondent's route, for the check-your-answers page. */
  path(state: FormState): Question[] {
    return routedPath(state.definition, state.answers);
  }

  /** Sends the answers on the route (an answer left behind by a changed route is not sent). */
  async submit(state: FormState): Promise<RecordedResponse> {
    const onRoute = new Set(this.path(state).map((q) => q.id));
    const answers = Object.fromEntries(Object.entries(state.answers).filter(([id]) => onRoute.has(id)));
    const recorded = await this.responses.submitOnline(state.code, answers, state.part === 'whole' ? undefined : state.part);
    await this.dataSource.query('DELETE FROM response_drafts WHERE patient_id = $1 AND part = $2', [state.patientId, state.part]);
    return recorded;
  }
}
