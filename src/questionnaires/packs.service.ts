import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AppConfig } from '../infra/config/app-config';
import { DomainError, NotFoundError } from '../infra/errors/domain-error';
import { TEMPLATES_DIR } from '../infra/paths';
import { parseReferenceOrThrow } from '../responses/patient-reference';
import { mailingPlanOf } from '../surveys/mailing-plan';
import { parseSurveySettings, SurveySettings } from '../surveys/survey-settings';
import type { Survey } from '../surveys/survey.entity';
import { LetterTemplate, loadLetterTemplate, MAILING_STEPS, MailingStep } from './letter-template';
import { loadQuestionnaire } from './load-questionnaire';
import type { QuestionnaireDefinition } from './questionnaire-definition';
import { documentBuffer, newPackDocument, PackPatient, PackRenderer } from './pack-renderer';

/** The columns a pack or e-mail needs (patients `p`, trusts `t`), selected the same way everywhere. */
export const PACK_PATIENT_COLUMNS = `
  p.id, p.survey_reference AS reference, p.access_code AS "accessCode", p.title, p.first_name AS "firstName",
  p.surname, p.address, p.postcode, t.name AS "trustName", p.trust_code AS "trustCode", p.questionnaire`;
export const PACK_PATIENT_SQL = `SELECT ${PACK_PATIENT_COLUMNS} FROM patients p JOIN trusts t ON t.code = p.trust_code`;

export interface PackRow extends PackPatient {
  id: string;
  trustCode: string;
  /** The patient's own questionnaire (chosen by age at fieldwork start); null: the survey's. */
  questionnaire: string | null;
}

export function assertStep(step: string): MailingStep {
  if (!(MAILING_STEPS as readonly string[]).includes(step)) {
    throw new DomainError('validation_failed', `The mailing step must be one of ${MAILING_STEPS.join(', ')}`, [{ where: 'step', message: 'unknown' }]);
  }
  return step as MailingStep;
}

/**
 * Builds renderers from each survey's questionnaires and letters (one per questionnaire the
 * survey uses: the Under-16 survey has one per age band), and renders single packs for reprints.
 */
@Injectable()
export class PacksService {
  private readonly renderers = new Map<string, PackRenderer>();
  private readonly settings = new Map<string, SurveySettings>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  /**
   * The renderer for one of a survey's questionnaires: the patient's own (`patients.questionnaire`),
   * or the survey's when the patient has none. Built on first use: templates are read and checked once.
   */
  rendererFor(survey: Pick<Survey, 'id' | 'settings'>, questionnaireName?: string | null): PackRenderer {
    let settings = this.settings.get(survey.id);
    if (!settings) {
      settings = parseSurveySettings(survey.settings);
      this.settings.set(survey.id, settings);
    }
    const name = questionnaireName ?? settings.questionnaire;
    const key = `${survey.id}:${name}`;
    let renderer = this.renderers.get(key);
    if (!renderer) {
      const questionnaire = loadQuestionnaire(join(TEMPLATES_DIR, 'questionnaires', `${name}.json`));
      // By step: the default letters and the plan's letters by their own names (one-off reprints
      // name the letter), then each planned step's own.
      const plan = mailingPlanOf(settings);
      const names = new Set([...MAILING_STEPS, ...plan.flatMap((s) => (s.channels.postal ? [s.channels.postal.letter] : []))]);
      const letters: Record<MailingStep, LetterTemplate> = Object.fromEntries([...names].map((s) => [s, loadLetterTemplate(s)]));
      for (const step of plan) {
        if (step.channels.postal) letters[step.name] = letters[step.channels.postal.letter];
      }
      renderer = new PackRenderer(questionnaire, letters, {
        surveyTitle: surveyTitleOf(settings, questionnaire),
        onlineUrl: `${this.config.PUBLIC_BASE_URL}/s`,
        helplinePhone: settings.helplinePhone,
        helplineEmail: settings.helplineEmail,
        privacyUrl: `${this.config.PUBLIC_BASE_URL}/privacy`,
        signatory: settings.signatory,
        addressee: settings.addressee,
      });
      this.renderers.set(key, renderer);
    }
    return renderer;
  }

  /** A patient's questionnaire definition: their own, or the survey's. */
  questionnaireFor(survey: Pick<Survey, 'id' | 'settings'>, questionnaireName?: string | null): QuestionnaireDefinition {
    return this.rendererFor(survey, questionnaireName).questionnaire;
  }

  /** One patient's pack for a step, e.g. to reprint a lost questionnaire. */
  async patientPack(reference: string, step: string, largePrint = false): Promise<{ pdf: Buffer; pages: number; reference: string }> {
    const mailingStep = assertStep(step);
    const canonical = parseReferenceOrThrow(reference);
    // The newest survey holding the reference: earlier years' patients are purged after fieldwork.
    const [row] = await this.dataSource.query(
      `${PACK_PATIENT_SQL} JOIN surveys s ON s.id = p.survey_id
       WHERE p.survey_reference = $1 ORDER BY s.period_start DESC LIMIT 1`, [canonical]);
    if (!row) throw new NotFoundError('No patient has that survey reference: check the reference', 'reference');
    const [survey] = await this.dataSource.query('SELECT id, settings FROM surveys WHERE id = (SELECT survey_id FROM patients WHERE id = $1)', [row.id]);
    const doc = newPackDocument(`Survey pack ${canonical}`);
    const pages = this.rendererFor(survey, row.questionnaire).render(doc, row, mailingStep, largePrint);
    return { pdf: await documentBuffer(doc), pages, reference: canonical };
  }
}

/**
 * The survey as letters and e-mails name it: the survey's own title setting, else its
 * questionnaire's title up to any ':' (after which a title names its audience or age band).
 */
export function surveyTitleOf(settings: Pick<SurveySettings, 'surveyTitle'>, questionnaire: Pick<QuestionnaireDefinition, 'title'>): string {
  return settings.surveyTitle ?? questionnaire.title.split(':')[0].trim();
}
