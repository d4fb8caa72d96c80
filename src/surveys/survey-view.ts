import type { Survey } from './survey.entity';

/** The public shape of a survey, the same over HTTP and from `--json`. */
export function surveyView(s: Survey) {
  return {
    code: s.code,
    name: s.name,
    periodStart: s.periodStart,
    periodEnd: s.periodEnd,
    status: s.status,
    kind: s.kind,
    settings: s.settings,
    createdAt: s.createdAt.toISOString(),
  };
}
export type SurveyView = ReturnType<typeof surveyView>;
