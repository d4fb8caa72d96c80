import type { MailingPlanStep } from './mailing-plan';

export const SURVEY_KINDS = ['adult', 'under16'] as const;
export type SurveyKind = (typeof SURVEY_KINDS)[number];

/** Each kind in words, as lists, headers and the new-survey page show it. */
export const KIND_NAMES: Record<SurveyKind, string> = { adult: 'Adult CPES', under16: 'Under-16 CPES' };

/** The Under-16 survey's mailings: the initial pack and one reminder at day 21, post and e-mail. */
const UNDER16_PLAN: MailingPlanStep[] = [
  { name: 'initial', day: 0, channels: { postal: { letter: 'u16-initial' }, email: { template: 'u16-initial' } } },
  { name: 'reminder_1', day: 21, channels: { postal: { letter: 'u16-reminder_1' }, email: { template: 'u16-reminder_1' } } },
];

/**
 * What each kind of survey starts from, over the adult defaults in SurveySettings. Everything
 * here is an ordinary setting: a survey's rules are read from its settings, never from its kind.
 */
export const KIND_DEFAULTS: Record<SurveyKind, Record<string, unknown>> = {
  adult: {},
  under16: {
    minimumAge: 0,
    maximumAge: 15,
    // Cancers, and the non-malignant brain and CNS tumours children are treated for at PTCs.
    icd10Scope: ['C00-C97', 'D32-D33', 'D35.2-D35.4', 'D42-D43', 'D44.3-D44.5'],
    ptcOnly: true,
    addressee: 'parent_or_carer',
    questionnaire: 'u16-12-15',
    // The questionnaires' titles name their age band; letters name the survey.
    surveyTitle: 'Under-16 Cancer Patient Experience Survey',
    questionnaireByAge: [
      { fromAge: 0, toAge: 7, questionnaire: 'u16-0-7' },
      { fromAge: 8, toAge: 11, questionnaire: 'u16-8-11' },
      { fromAge: 12, toAge: 15, questionnaire: 'u16-12-15' },
    ],
    schedule: { reminder_1: 21, reminder_2: 49 },
    mailingPlan: UNDER16_PLAN,
    helplineEmail: 'u16-cpes-helpline@fieldwork.invalid',
    signatory: { name: 'The Survey Manager', role: 'Under-16 Cancer Patient Experience Survey' },
  },
};
